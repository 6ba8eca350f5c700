package io.adlake.compose;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code docker-compose.yml} as the tests read it: services, their images, published ports, mounts,
 * environment and start order. Accepts both the short and the long syntax of ports, volumes and
 * environment, so a test fails on what the file says, not on how it is written.
 */
final class ComposeFile {
  static final Path PATH = Path.of("docker-compose.yml");

  /**
   * The cluster jar the stack mounts: the Spark 3.5 line's, because the stack's image
   * (tabulario/spark-iceberg 3.5.x) runs Spark 3.5 / Scala 2.12.
   */
  static final Path STACK_JAR = Path.of("target", "adlake-0.1.0-spark3.5_2.12.jar");

  static final String SPARK = "spark-iceberg";
  static final String REST = "rest";

  /** The S3 server (SeaweedFS) and the one-shot container that creates its bucket. */
  static final String S3 = "seaweedfs";

  static final String BUCKET_INIT = "bucket-init";
  static final String KAFKA = "kafka";
  static final String SCHEMA_REGISTRY = "schema-registry";
  static final String TRINO = "trino";
  static final String SUPERSET = "superset";
  static final String CLOUDBEAVER = "cloudbeaver";
  static final List<String> SERVICES =
      List.of(SPARK, REST, S3, BUCKET_INIT, KAFKA, SCHEMA_REGISTRY, TRINO, SUPERSET, CLOUDBEAVER);

  /**
   * The container paths of the jar and of conf/; the Makefile's submit target and the tests use
   * them.
   */
  static final String JAR_IN_CONTAINER = "/opt/adlake/adlake.jar";

  static final String CONF_IN_CONTAINER = "/opt/adlake/conf";

  record Mount(String type, String source, String target, boolean readOnly) {}

  record Port(String hostIp, String hostPort, String containerPort) {}

  private final Map<String, Object> root;

  private ComposeFile(Map<String, Object> root) {
    this.root = requireNonNull(root, "root");
  }

  static ComposeFile load() throws IOException {
    try (Reader reader = Files.newBufferedReader(PATH)) {
      Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      return new ComposeFile(root);
    }
  }

  Map<String, Object> services() {
    return map(root.get("services"), "services");
  }

  /** Names declared under the top-level {@code volumes:}. */
  List<String> namedVolumes() {
    Object volumes = root.get("volumes");
    return volumes == null ? List.of() : List.copyOf(map(volumes, "volumes").keySet());
  }

  Map<String, Object> service(String name) {
    Object service = services().get(name);
    if (service == null) {
      throw new AssertionError(
          "docker-compose.yml has no service '" + name + "'; it has " + services().keySet());
    }
    return map(service, "services." + name);
  }

  String image(String service) {
    return String.valueOf(service(service).get("image"));
  }

  List<Port> ports(String service) {
    List<Port> ports = new ArrayList<>();
    for (Object port : list(service(service).get("ports"))) {
      if (port instanceof Map<?, ?> longSyntax) {
        ports.add(
            new Port(
                string(longSyntax.get("host_ip")),
                string(longSyntax.get("published")),
                string(longSyntax.get("target"))));
      } else {
        String[] parts = String.valueOf(port).split(":");
        switch (parts.length) {
          case 3 -> ports.add(new Port(parts[0], parts[1], parts[2]));
          case 2 -> ports.add(new Port(null, parts[0], parts[1]));
          default -> ports.add(new Port(null, null, parts[0]));
        }
      }
    }
    return ports;
  }

  List<Mount> mounts(String service) {
    List<Mount> mounts = new ArrayList<>();
    for (Object volume : list(service(service).get("volumes"))) {
      if (volume instanceof Map<?, ?> longSyntax) {
        mounts.add(
            new Mount(
                string(longSyntax.get("type")),
                string(longSyntax.get("source")),
                string(longSyntax.get("target")),
                Boolean.TRUE.equals(longSyntax.get("read_only"))));
      } else {
        String[] parts = String.valueOf(volume).split(":");
        String source = parts[0];
        String type = source.startsWith(".") || source.startsWith("/") ? "bind" : "volume";
        mounts.add(new Mount(type, source, parts[1], parts.length > 2 && parts[2].contains("ro")));
      }
    }
    return mounts;
  }

  /** The mount whose target holds {@code containerPath}, the deepest one if several do. */
  Optional<Mount> mountHolding(String service, String containerPath) {
    return mounts(service).stream()
        .filter(m -> containerPath.equals(m.target()) || containerPath.startsWith(m.target() + "/"))
        .max((a, b) -> Integer.compare(a.target().length(), b.target().length()));
  }

  Map<String, String> environment(String service) {
    Object env = service(service).get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env instanceof Map<?, ?> map) {
      map.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
    } else {
      for (Object entry : list(env)) {
        String[] kv = String.valueOf(entry).split("=", 2);
        out.put(kv[0], kv.length > 1 ? kv[1] : null);
      }
    }
    return out;
  }

  /** Entrypoint and command as one text, for what a one-shot container runs. */
  String entrypointAndCommand(String service) {
    Map<String, Object> s = service(service);
    return (flatten(s.get("entrypoint")) + " " + flatten(s.get("command"))).trim();
  }

  /**
   * {@code depends_on} as service → condition ({@code service_started} for the short list form).
   */
  Map<String, String> dependsOn(String service) {
    Object deps = service(service).get("depends_on");
    Map<String, String> out = new LinkedHashMap<>();
    if (deps instanceof Map<?, ?> map) {
      map.forEach(
          (name, spec) ->
              out.put(
                  String.valueOf(name),
                  spec instanceof Map<?, ?> m && m.get("condition") != null
                      ? String.valueOf(m.get("condition"))
                      : "service_started"));
    } else {
      list(deps).forEach(name -> out.put(String.valueOf(name), "service_started"));
    }
    return out;
  }

  boolean hasHealthcheck(String service) {
    Object healthcheck = service(service).get("healthcheck");
    return healthcheck instanceof Map<?, ?> m
        && m.get("test") != null
        && !Boolean.TRUE.equals(m.get("disable"));
  }

  private static String flatten(Object value) {
    return value == null
        ? ""
        : value instanceof List<?> l
            ? String.join(" ", l.stream().map(String::valueOf).toList())
            : String.valueOf(value);
  }

  private static String string(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value, String where) {
    if (!(value instanceof Map<?, ?>)) {
      throw new AssertionError("docker-compose.yml: " + where + " is not a mapping: " + value);
    }
    return (Map<String, Object>) value;
  }

  private static List<?> list(Object value) {
    return value == null ? List.of() : value instanceof List<?> l ? l : List.of(value);
  }
}
