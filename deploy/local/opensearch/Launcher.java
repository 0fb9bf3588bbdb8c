// Runs ONE real OpenSearch 2.19 node for development, demo and CI (see docs/infra.md).
//
//   java -Xms512m -Xmx512m -cp "<opensearch-lib>/*" deploy/local/opensearch/Launcher.java \
//        --home <dir> --port 9200 [--cluster-name shopper-signal-local]
//
// Java 11+ source-file mode: no build step. The node binds to 127.0.0.1 only, uses
// discovery.type=single-node, keeps its home/data/logs under --home, waits for yellow, prints
// "OPENSEARCH_READY http://127.0.0.1:<port>" and then stays up until the JVM is told to stop
// (SIGTERM/SIGINT run a shutdown hook that closes the node cleanly).
//
// org.codelibs.opensearch.runner.OpenSearchRunner starts an org.opensearch.node.Node with the
// official module classes from the classpath. Its own module list skips silently any class it
// cannot load, so the list below is explicit and this launcher fails fast if one is missing.

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.common.settings.Settings;

public class Launcher {

    /** Modules the project relies on (edge_ngram, search_as_you_type, completion, painless...). */
    static final String[] REQUIRED_MODULES = {
            "org.opensearch.transport.Netty4Plugin", // HTTP + transport (module transport-netty4)
            "org.opensearch.analysis.common.CommonAnalysisPlugin", // analysis-common: edge_ngram, ...
            "org.opensearch.index.mapper.MapperExtrasPlugin", // mapper-extras: search_as_you_type, rank_feature, scaled_float
            "org.opensearch.painless.PainlessPlugin", // lang-painless: script_score, update scripts
    };

    /** Other official modules shipped by the runner's dependencies: loaded when present. */
    static final String[] OPTIONAL_MODULES = {
            "org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin",
            "org.opensearch.geo.GeoModulePlugin",
            "org.opensearch.ingest.common.IngestCommonPlugin",
            "org.opensearch.ingest.useragent.IngestUserAgentPlugin",
            "org.opensearch.script.expression.ExpressionPlugin",
            "org.opensearch.script.mustache.MustachePlugin",
            "org.opensearch.join.ParentJoinPlugin",
            "org.opensearch.percolator.PercolatorPlugin",
            "org.opensearch.index.rankeval.RankEvalPlugin",
            "org.opensearch.index.reindex.ReindexPlugin",
            "org.opensearch.plugin.repository.url.URLRepositoryPlugin",
            // k-NN: knn_vector fields with the Lucene engine (search by image). Its JNI engines
            // (faiss, nmslib) load their libraries only when an index uses them.
            "org.opensearch.knn.plugin.KNNPlugin",
    };

    /** The process's real stdout: OpenSearch's log setup may route System.out through log4j. */
    static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true);

    public static void main(final String[] args) throws Exception {
        final Map<String, String> opts = parse(args);
        final String home = require(opts, "home");
        final int port = Integer.parseInt(opts.getOrDefault("port", "9200"));
        final String clusterName = opts.getOrDefault("cluster-name", "shopper-signal-local");
        final String transportPort = opts.getOrDefault("transport-port", "9300-9399");

        final List<String> modules = new ArrayList<>();
        for (final String type : REQUIRED_MODULES) {
            try {
                Class.forName(type);
            } catch (final ClassNotFoundException e) {
                System.err.println("FATAL: required OpenSearch module class " + type + " is not on the classpath");
                System.exit(2);
            }
            modules.add(type);
        }
        for (final String type : OPTIONAL_MODULES) {
            try {
                Class.forName(type);
                modules.add(type);
            } catch (final ClassNotFoundException e) {
                System.out.println("note: optional module " + type + " not on the classpath, skipped");
            }
        }

        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1); // never probe for a "free" port: http.port below is authoritative
        runner.onBuild((index, settings) -> {
            settings.put("cluster.name", clusterName);
            settings.put("node.name", "local-1");
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", String.valueOf(port));
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            settings.putList("node.roles", "cluster_manager", "data", "ingest");
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("action.auto_create_index", true);
            settings.put("http.cors.enabled", false);
        });

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (!runner.isClosed()) {
                    OUT.println("OPENSEARCH_STOPPING");
                    runner.close();
                    OUT.println("OPENSEARCH_STOPPED");
                }
            } catch (final Exception e) {
                OUT.println("error while closing the node: " + e);
            }
        }, "launcher-shutdown"));

        try {
            runner.build(OpenSearchRunner.newConfigs()
                    .basePath(home)
                    .numOfNode(1)
                    .clusterName(clusterName)
                    .moduleTypes(String.join(",", modules)));
            runner.ensureYellow();
            // One node: new indices default to 0 replicas so they are green, not yellow. Only the
            // persistent cluster setting is honoured by index creation (a node setting is not).
            runner.admin().cluster().prepareUpdateSettings()
                    .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", 0).build())
                    .get();
        } catch (final Throwable t) {
            t.printStackTrace(OUT);
            OUT.println("FATAL: OpenSearch node failed to start");
            Runtime.getRuntime().halt(1);
        }
        OUT.println("OPENSEARCH_READY http://127.0.0.1:" + port);

        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }

    static Map<String, String> parse(final String[] args) {
        final Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: Launcher.java --home <dir> [--port 9200] [--cluster-name name] [--transport-port 9300-9399]");
                System.exit(64);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }

    static String require(final Map<String, String> opts, final String key) {
        final String v = opts.get(key);
        if (v == null || v.isEmpty()) {
            System.err.println("missing --" + key);
            System.exit(64);
        }
        return v;
    }
}
