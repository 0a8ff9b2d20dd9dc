package io.switchboard.worker.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PartitionOffsetsTest {

  @Test
  void commitPointIsTheLowestUnfinishedOffset() {
    PartitionOffsets offsets = PartitionOffsets.startingAt(10);
    for (long o = 10; o < 15; o++) {
      assertThat(offsets.dispatch(o)).isTrue();
    }
    offsets.complete(12);
    offsets.complete(14);
    assertThat(offsets.commitPoint()).isEqualTo(10);
    assertThat(offsets.finishedAboveCommitPoint()).containsExactly(12L, 14L);
    offsets.complete(10);
    offsets.complete(11);
    assertThat(offsets.commitPoint()).isEqualTo(13);
    assertThat(offsets.finishedAboveCommitPoint()).containsExactly(14L);
    offsets.complete(13);
    assertThat(offsets.commitPoint()).isEqualTo(15);
    assertThat(offsets.metadata()).isEmpty();
    assertThat(offsets.inFlight()).isZero();
  }

  @Test
  void gapsLeftByTransactionMarkersDoNotHoldTheCommitPoint() {
    PartitionOffsets offsets = PartitionOffsets.startingAt(0);
    offsets.dispatch(0);
    offsets.dispatch(2);
    offsets.dispatch(5);
    offsets.complete(0);
    offsets.complete(2);
    assertThat(offsets.commitPoint()).isEqualTo(5);
    offsets.complete(5);
    assertThat(offsets.commitPoint()).isEqualTo(6);
  }

  @Test
  void aRestoredOwnerSkipsFinishedOffsetsAndProcessesTheRest() {
    PartitionOffsets first = PartitionOffsets.startingAt(100);
    for (long o = 100; o < 106; o++) {
      first.dispatch(o);
    }
    first.complete(101);
    first.complete(104);
    PartitionOffsets second = PartitionOffsets.restore(first.commitPoint(), first.metadata());
    List<Long> processed = new ArrayList<>();
    for (long o = 100; o < 106; o++) {
      if (second.dispatch(o)) {
        processed.add(o);
      }
    }
    assertThat(processed).containsExactly(100L, 102L, 103L, 105L);
    assertThat(second.commitPoint()).isEqualTo(100);
    assertThat(second.finishedAboveCommitPoint()).containsExactly(101L, 104L);
  }

  @Test
  void aRestoredOwnerThatCommitsBeforeReadingKeepsTheFinishedSet() {
    PartitionOffsets first = PartitionOffsets.startingAt(0);
    for (long o = 0; o < 4; o++) {
      first.dispatch(o);
    }
    first.complete(2);
    PartitionOffsets second = PartitionOffsets.restore(first.commitPoint(), first.metadata());
    assertThat(second.commitPoint()).isZero();
    assertThat(second.metadata()).isEqualTo(first.metadata());
  }

  @Test
  void completingAnOffsetTwiceOrOneNeverDispatchedIsABug() {
    PartitionOffsets offsets = PartitionOffsets.startingAt(0);
    offsets.dispatch(0);
    offsets.complete(0);
    assertThatThrownBy(() -> offsets.complete(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("offset 0");
    assertThatThrownBy(() -> offsets.complete(9)).hasMessageContaining("not in flight");
  }

  @Test
  void deliveringAnInFlightOffsetAgainDoesNotProcessItTwice() {
    PartitionOffsets offsets = PartitionOffsets.startingAt(0);
    assertThat(offsets.dispatch(0)).isTrue();
    assertThat(offsets.dispatch(1)).isTrue();
    assertThat(offsets.dispatch(0)).isFalse();
    offsets.complete(0);
    assertThat(offsets.dispatch(0)).isFalse();
    assertThat(offsets.inFlight()).isEqualTo(1);
  }

  @Test
  void commitPointStaysCorrectUnderRandomCompletionOrders() {
    Random random = new Random(77);
    for (int trial = 0; trial < 300; trial++) {
      List<Long> log = randomLog(random, random.nextInt(1000), 1 + random.nextInt(400));
      PartitionOffsets offsets = PartitionOffsets.startingAt(log.get(0));
      List<Long> inFlight = new ArrayList<>();
      Set<Long> completed = new HashSet<>();
      long lastDelivered = log.get(0) - 1;
      int next = 0;
      while (next < log.size() || !inFlight.isEmpty()) {
        if (next < log.size() && (inFlight.isEmpty() || random.nextBoolean())) {
          long o = log.get(next++);
          assertThat(offsets.dispatch(o)).isTrue();
          inFlight.add(o);
          lastDelivered = o;
        } else {
          long o = inFlight.remove(random.nextInt(inFlight.size()));
          offsets.complete(o);
          completed.add(o);
        }
        long expected =
            inFlight.stream().mapToLong(Long::longValue).min().orElse(lastDelivered + 1);
        assertThat(offsets.commitPoint()).as("trial %d", trial).isEqualTo(expected);
        NavigableSet<Long> above = new TreeSet<>();
        completed.stream().filter(o -> o > expected).forEach(above::add);
        assertThat(offsets.finishedAboveCommitPoint()).isEqualTo(above);
        assertThat(offsets.inFlight()).isEqualTo(inFlight.size());
      }
    }
  }

  @Test
  void afterACrashNoFinishedOffsetIsProcessedAgainAndNoUnfinishedOneIsSkipped() {
    Random random = new Random(2024);
    for (int trial = 0; trial < 200; trial++) {
      List<Long> log = randomLog(random, random.nextInt(50), 50 + random.nextInt(500));
      long committed = log.get(0);
      String metadata = "";
      Set<Long> everFinished = new HashSet<>();
      for (int life = 0; life < 6; life++) {
        boolean lastLife = life == 5;
        PartitionOffsets offsets = PartitionOffsets.restore(committed, metadata);
        Set<Long> finishedAtCommit = OffsetCodec.decode(committed, metadata);
        long from = committed;
        List<Long> replay = log.stream().filter(o -> o >= from).toList();
        List<Long> inFlight = new ArrayList<>();
        long snapshotPoint = committed;
        String snapshotMeta = metadata;
        int crashAfter = lastLife ? Integer.MAX_VALUE : random.nextInt(replay.size() * 2 + 1);
        int next = 0;
        for (int step = 0;
            step < crashAfter && (next < replay.size() || !inFlight.isEmpty());
            step++) {
          if (next < replay.size() && (inFlight.isEmpty() || random.nextInt(3) > 0)) {
            long o = replay.get(next++);
            boolean process = offsets.dispatch(o);
            assertThat(process)
                .as("trial %d life %d offset %d (committed %d)", trial, life, o, from)
                .isEqualTo(!finishedAtCommit.contains(o));
            if (process) {
              inFlight.add(o);
            }
          } else {
            long o = inFlight.remove(random.nextInt(inFlight.size()));
            offsets.complete(o);
            everFinished.add(o);
          }
          if (lastLife || random.nextInt(5) == 0) {
            snapshotPoint = offsets.commitPoint();
            snapshotMeta = offsets.metadata();
            assertThat(snapshotMeta.length())
                .isLessThanOrEqualTo(OffsetCodec.DEFAULT_MAX_METADATA_BYTES);
          }
        }
        Set<Long> recorded = OffsetCodec.decode(snapshotPoint, snapshotMeta);
        for (long o : log) {
          if (o < snapshotPoint || recorded.contains(o)) {
            assertThat(everFinished)
                .as("trial %d: offset %d recorded finished", trial, o)
                .contains(o);
          }
        }
        committed = snapshotPoint;
        metadata = snapshotMeta;
      }
      assertThat(everFinished).containsAll(log);
      assertThat(committed).isEqualTo(log.get(log.size() - 1) + 1);
    }
  }

  @Test
  void wouldExceedAgreesWithTheExactSize() {
    Random random = new Random(9);
    for (int trial = 0; trial < 40; trial++) {
      PartitionOffsets offsets = PartitionOffsets.startingAt(0);
      int span = 20_000 + random.nextInt(20_000);
      for (long o = 0; o < span; o++) {
        offsets.dispatch(o);
      }
      for (long o = 1; o < span; o++) {
        if (random.nextInt(2) == 0) {
          offsets.complete(o);
        }
      }
      int limit = 1000 + random.nextInt(6000);
      assertThat(offsets.wouldExceed(limit))
          .as("trial %d limit %d", trial, limit)
          .isEqualTo(offsets.encodedSizeIfCommittedNow() > limit);
    }
    assertThat(PartitionOffsets.startingAt(5).wouldExceed(10)).isFalse();
  }

  @Test
  void whatAPartitionHasRoomForCommitsWithinTheLimitHoweverItFinishes() {
    Random random = new Random(17);
    for (int trial = 0; trial < 10; trial++) {
      long start = random.nextInt(1_000_000);
      PartitionOffsets offsets = PartitionOffsets.startingAt(start);
      long last = start;
      while (offsets.hasRoomFor(last + 1)) {
        last++;
      }
      // A 4 KiB bitset from the commit point: about 24,500 offsets.
      assertThat(last - start).as("room of trial %d", trial).isBetween(24_000L, 25_000L);
      for (long o = start; o <= last; o++) {
        assertThat(offsets.dispatch(o)).isTrue();
      }
      for (long o = start + 1; o <= last; o++) {
        if (random.nextInt(trial + 2) != 0) {
          offsets.complete(o);
        }
      }
      assertThat(offsets.commitPoint()).isEqualTo(start);
      assertThat(offsets.fitsCommit()).as("trial %d", trial).isTrue();
      assertThat(offsets.metadata().length()).isLessThanOrEqualTo(PartitionOffsets.METADATA_LIMIT);
      assertThat(offsets.hasRoomFor(last + 1)).as("one offset more").isFalse();
    }
  }

  @Test
  void roomMovesWithTheCommitPoint() {
    PartitionOffsets offsets = PartitionOffsets.startingAt(0);
    long last = 0;
    while (offsets.hasRoomFor(last + 1)) {
      last++;
    }
    for (long o = 0; o <= 10; o++) {
      offsets.dispatch(o);
    }
    assertThat(offsets.hasRoomFor(last + 10)).isFalse();
    for (long o = 0; o < 10; o++) {
      offsets.complete(o);
    }
    assertThat(offsets.commitPoint()).isEqualTo(10);
    assertThat(offsets.hasRoomFor(last + 10)).isTrue();
    assertThat(offsets.hasRoomFor(last + 11)).isFalse();
  }

  @Test
  void finishedOffsetsTakenBeyondTheRoomDoNotFitTheCommit() {
    PartitionOffsets offsets = PartitionOffsets.startingAt(0);
    for (long o = 0; o < 60_000; o++) {
      offsets.dispatch(o);
    }
    for (long o = 1; o < 60_000; o += 2) {
      offsets.complete(o);
    }
    assertThat(offsets.fitsCommit()).isFalse();
    assertThat(offsets.metadata().length()).isGreaterThan(PartitionOffsets.METADATA_LIMIT);
    assertThat(PartitionOffsets.startingAt(7).fitsCommit()).as("nothing finished").isTrue();
  }

  /** Ascending offsets from {@code start} with occasional gaps, like a transactional partition. */
  private static List<Long> randomLog(Random random, long start, int size) {
    List<Long> log = new ArrayList<>();
    long o = start;
    for (int i = 0; i < size; i++) {
      log.add(o);
      o += random.nextInt(10) == 0 ? 2 : 1;
    }
    return log;
  }
}
