package io.issuetrakbridge.testing;

import java.nio.file.Path;
import java.util.Properties;

/** The settings every single-node KRaft broker of the tests and the benchmark shares, before its listeners. */
public final class SingleNodeBroker {

    private SingleNodeBroker() {
    }

    /** Broker and controller in one process, data under {@code logDirs}, no auto-created topics. */
    public static Properties settings(Path logDirs, int controllerPort) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("log.dirs", logDirs.toString());
        // A single node cannot meet the defaults of 3 replicas for internal topics.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        return props;
    }
}
