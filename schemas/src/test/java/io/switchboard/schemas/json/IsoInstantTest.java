package io.switchboard.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {
  private static final long MIN = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  @Test
  void writesWhatInstantToStringWritesForRandomInstants() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong(MIN, MAX + 1), nanos(random));
      assertThat(IsoInstant.format(instant)).isEqualTo(instant.toString());
    }
  }

  @Test
  void readsBackWhatItWritesForRandomInstants() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong(MIN, MAX + 1), nanos(random));
      assertThat(IsoInstant.parse(instant.toString())).isEqualTo(instant);
    }
  }

  @Test
  void readsEveryFractionLengthAsInstantParseDoes() {
    for (String text :
        List.of(
            "2026-11-22T10:00:00.1Z",
            "2026-11-22T10:00:00.12Z",
            "2026-11-22T10:00:00.1234Z",
            "2026-11-22T10:00:00.123456789Z",
            "2024-02-29T23:59:59.000Z",
            "1969-12-31T23:59:59.999999999Z")) {
      assertThat(IsoInstant.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void leavesEveryOtherFormToTheGeneralParser() {
    for (String text :
        List.of(
            "2026-11-22T10:00:00+02:00",
            "2026-11-22t10:00:00z",
            "2026-02-29T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-11-31T10:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T10:60:00Z",
            "2026-11-22T23:59:60Z",
            "2026-11-22T10:00:00.Z",
            "2026-11-22T10:00:00.1234567890Z",
            "+12026-11-22T10:00:00Z",
            "2026-11-22 10:00:00Z",
            " 2026-11-22T10:00:00Z",
            "2026-1x-22T10:00:00Z",
            "2026-11-22T10:00Z")) {
      assertThat(IsoInstant.parse(text)).as(text).isNull();
    }
    assertThat(IsoInstant.format(Instant.parse("+10000-01-01T00:00:00Z"))).isNull();
  }

  @Test
  void theSharedMapperStillReadsOffsetsAndWritesFarYears() {
    record At(Instant at) {}
    assertThat(Json.read("{\"at\":\"2026-11-22T12:00:00+02:00\"}", At.class).at())
        .isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
    assertThat(Json.read("{\"at\":\"2026-11-22T10:00:00.5Z\"}", At.class).at())
        .isEqualTo(Instant.parse("2026-11-22T10:00:00.500Z"));
    assertThat(Json.toString(new At(Instant.parse("2026-11-22T10:00:00.120Z"))))
        .isEqualTo("{\"at\":\"2026-11-22T10:00:00.120Z\"}");
    assertThat(Json.toString(new At(Instant.parse("+10000-01-01T00:00:00Z"))))
        .isEqualTo("{\"at\":\"+10000-01-01T00:00:00Z\"}");
  }

  private static int nanos(SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> random.nextInt(1000) * 1_000_000;
      case 2 -> random.nextInt(1_000_000) * 1000;
      default -> random.nextInt(1_000_000_000);
    };
  }
}
