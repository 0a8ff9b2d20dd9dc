package io.switchboard.app;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.TopicProvisioner;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Creates missing topics and checks the dispatch topic against the lane plan. */
@Command(name = "topics", mixinStandardHelpOptions = true,
    header = "Creates missing topics; checks the dispatch topic's lanes.",
    description = "Creates the topics the config needs and checks the dispatch topic's partitions against the lanes.")
final class TopicsCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    PrintWriter out = spec.commandLine().getOut();
    options.awaitCluster(config.kafka());
    try (Admin admin = Admin.create(new HashMap<String, Object>(config.kafka()))) {
      List<String> created = TopicProvisioner.ensure(admin, config);
      out.println(created.isEmpty() ? "All topics exist." : "Created: " + String.join(", ", created));
      LanePlan plan = LanePlan.of(config);
      out.println("Lanes of " + config.topics().dispatch() + " (" + plan.partitions() + " partitions):");
      config.modelList().forEach(d -> {
        LanePlan.Lanes l = plan.lanesOf(d.deploymentId());
        out.printf("  %-24s partitions %d..%d%n", d.deploymentId(), l.first(), l.first() + l.count() - 1);
      });
    }
    return 0;
  }
}
