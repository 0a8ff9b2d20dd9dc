package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTopicsTest {
  static final List<String> ALLOWLIST = List.of("team.replies", "team.batch.*");

  @Test
  void theDefaultAllowlistIsTheRepliesTopicAndTheNamesUnderIt() {
    List<String> defaults = ReplyTopics.defaults(TopicsConfig.DEFAULT);
    assertThat(defaults).containsExactly("switchboard.replies", "switchboard.replies.*");
    assertThat(ReplyTopics.allows(defaults, "switchboard.replies")).isTrue();
    assertThat(ReplyTopics.allows(defaults, "switchboard.replies.client-7")).isTrue();
    assertThat(ReplyTopics.allows(defaults, "switchboard.repliesX")).isFalse();
    assertThat(ReplyTopics.allows(defaults, "other")).isFalse();
  }

  @Test
  void entriesAreExactNamesOrPrefixesEndingInAStar() {
    assertThat(ReplyTopics.allows(ALLOWLIST, "team.replies")).isTrue();
    assertThat(ReplyTopics.allows(ALLOWLIST, "team.replies.x")).isFalse();
    assertThat(ReplyTopics.allows(ALLOWLIST, "team.batch.b-1")).isTrue();
    assertThat(ReplyTopics.allows(ALLOWLIST, "team.batch")).isFalse();
    assertThat(ReplyTopics.allows(List.of(), "team.replies")).isFalse();
  }

  @Test
  void thePatternMatchesExactlyTheAllowedTopics() {
    for (String topic :
        List.of(
            "team.replies",
            "team.replies.x",
            "team.batch.b-1",
            "team.batch",
            "team-replies",
            "teamXreplies",
            "")) {
      assertThat(ReplyTopics.pattern(ALLOWLIST).matcher(topic).matches())
          .as(topic)
          .isEqualTo(ReplyTopics.allows(ALLOWLIST, topic));
    }
  }

  @Test
  void aConfigWithoutReplyTopicsAllowsTheDefaults() {
    SwitchboardConfig config =
        new SwitchboardConfig(
            List.of(ConfigKeyTest.deployment("m", null, null, null, null)),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThat(config.replyTopics()).isEqualTo(ReplyTopics.defaults(config.topics()));
    assertThat(config.replyTopicAllowed("switchboard.replies.c1")).isTrue();
  }
}
