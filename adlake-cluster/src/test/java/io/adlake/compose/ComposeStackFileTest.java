package io.adlake.compose;

import static io.adlake.compose.ComposeFile.BUCKET_INIT;
import static io.adlake.compose.ComposeFile.CLOUDBEAVER;
import static io.adlake.compose.ComposeFile.CONF_IN_CONTAINER;
import static io.adlake.compose.ComposeFile.JAR_IN_CONTAINER;
import static io.adlake.compose.ComposeFile.KAFKA;
import static io.adlake.compose.ComposeFile.LOG4J_IN_CONTAINER;
import static io.adlake.compose.ComposeFile.REST;
import static io.adlake.compose.ComposeFile.S3;
import static io.adlake.compose.ComposeFile.SCHEMA_REGISTRY;
import static io.adlake.compose.ComposeFile.SERVICES;
import static io.adlake.compose.ComposeFile.SPARK;
import static io.adlake.compose.ComposeFile.SUPERSET;
import static io.adlake.compose.ComposeFile.TRINO;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adlake.compose.ComposeFile.Mount;
import io.adlake.compose.ComposeFile.Port;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.job.SparkSessions;
import io.adlake.lake.AdlakeTables;
import io.adlake.lake.MergeMode;
import io.adlake.lake.TableSpec;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What the local container stack promises, checked on the files alone (no Docker needed): pinned
 * images, loopback-only ports, state on volumes, a bucket init that never deletes, and
 * conf/docker.conf, the Makefile and docker-compose.yml naming the same services, ports and paths.
 */
class ComposeStackFileTest {
  private static final Path DOCKER_CONF = Path.of("conf", "docker.conf");
  private static final Pattern PINNED_IMAGE =
      Pattern.compile("[a-z0-9./_-]+:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*)");
  private static final String TRINO_CATALOG = "compose/trino/catalog/iceberg.properties";
  private static final String TRINO_CATALOG_IN_CONTAINER = "/etc/trino/catalog/iceberg.properties";
  private static final String ATHENA_IN_CONTAINER = "/opt/adlake/athena";
  private static final String SUPERSET_IN_CONTAINER = "/opt/adlake/superset";
  private static final String CLOUDBEAVER_DATA_SOURCES =
      "/opt/cloudbeaver/workspace/GlobalConfiguration/.dbeaver/data-sources.json";
  private static final Pattern SQLITE_FILE =
      Pattern.compile("jdbc:sqlite:(?:file:)?(?<path>/[^?]+)(?:\\?.*)?");

  private static ComposeFile compose;
  private static AdlakeConfig docker;

  @BeforeAll
  static void load() throws IOException {
    compose = ComposeFile.load();
    docker = ConfigLoader.load(DOCKER_CONF.toString(), List.of());
  }

  @Test
  void everyServiceRunsAPinnedReleaseTag() {
    assertEquals(
        SERVICES.stream().sorted().toList(),
        compose.services().keySet().stream().sorted().toList());
    for (String service : SERVICES) {
      String image = compose.image(service);
      Matcher m = PINNED_IMAGE.matcher(image);
      assertTrue(m.matches(), service + ": image '" + image + "' has no tag");
      assertNotEquals("latest", m.group("tag"), service + ": 'latest' moves under you");
      assertTrue(
          m.group("tag").matches(".*\\d.*"),
          service + ": tag '" + m.group("tag") + "' names no release");
    }
  }

  /**
   * MinIO removed minio/minio and minio/mc from Docker Hub in September 2026: a stack that pulls
   * them fails on a machine without cached images.
   */
  @Test
  void noServicePullsAnImageThatLeftDockerHub() {
    for (String service : SERVICES) {
      assertFalse(
          compose.image(service).startsWith("minio/"),
          service + ": " + compose.image(service) + " is no longer on Docker Hub");
    }
  }

  @Test
  void everyPublishedPortBindsLoopbackOnly() {
    List<String> published = new ArrayList<>();
    for (String service : SERVICES) {
      for (Port port : compose.ports(service)) {
        published.add(service + " " + port.hostPort());
        assertEquals(
            "127.0.0.1", port.hostIp(), service + " publishes " + port + " beyond loopback");
      }
    }
    assertTrue(
        published.containsAll(
            List.of(
                SPARK + " 8888",
                REST + " 8181",
                S3 + " 8333",
                KAFKA + " 9092",
                TRINO + " 8080",
                SUPERSET + " 8088",
                CLOUDBEAVER + " 8978")),
        "Jupyter, REST, S3 API, Kafka, Trino, Superset and CloudBeaver reach the host: "
            + published);
  }

  @Test
  void bucketInitCreatesTheWarehouseBucketAndNeverDeletesData() {
    String init = compose.entrypointAndCommand(BUCKET_INIT);
    String bucket = bucket();
    assertTrue(
        Pattern.compile(
                "s3api head-bucket --bucket "
                    + Pattern.quote(bucket)
                    + "\\s*\\|\\|[^|&;]*s3api create-bucket --bucket "
                    + Pattern.quote(bucket))
            .matcher(init)
            .find(),
        "creates the bucket only when it is missing (head-bucket || create-bucket): " + init);
    assertFalse(
        Pattern.compile("\\b(rb|rm|mv|sync|delete-bucket|delete-object|delete-objects)\\b")
            .matcher(init)
            .find(),
        "the init must not remove objects or buckets: " + init);
    assertFalse(
        init.contains("--force") || init.contains("--delete"), "no forced deletion: " + init);
    assertTrue(
        init.contains("--endpoint-url " + s3Endpoint()),
        "the init talks to the stack's S3: " + init);
    assertEquals("s3://" + bucket() + "/", docker.catalog().warehouse());
    assertEquals(
        docker.catalog().warehouse(),
        compose.environment(REST).get("CATALOG_WAREHOUSE"),
        "the REST server and Spark place tables under the same root");
  }

  @Test
  void restCatalogKeepsItsDatabaseInAFileOnANamedVolume() {
    String uri = compose.environment(REST).get("CATALOG_URI");
    Matcher m = SQLITE_FILE.matcher(String.valueOf(uri));
    assertTrue(
        m.matches() && !uri.contains("memory"),
        "the fixture's default is SQLite in memory, lost on every restart: CATALOG_URI=" + uri);
    assertOnNamedVolume(REST, m.group("path"));
  }

  @Test
  void tablesTopicsAndCheckpointsAllLiveOnNamedVolumes() {
    Matcher dataDir =
        Pattern.compile("(?:^|\\s)-dir=(?<dir>\\S+)").matcher(compose.entrypointAndCommand(S3));
    assertTrue(dataDir.find(), "the S3 server names its data directory: -dir=...");
    assertOnNamedVolume(S3, dataDir.group("dir"));
    assertOnNamedVolume(KAFKA, compose.environment(KAFKA).get("KAFKA_LOG_DIRS"));
    assertOnNamedVolume(SPARK, docker.streaming().checkpointRoot());
    assertOnNamedVolume(SPARK, docker.source().files().path());
  }

  @Test
  void jarAndConfAreMountedReadOnlyWhereTheMakefileLooksForThem() throws Exception {
    Mount jar = compose.mountHolding(SPARK, JAR_IN_CONTAINER).orElseThrow();
    assertEquals(new Mount("bind", "./" + ComposeFile.STACK_JAR, JAR_IN_CONTAINER, true), jar);
    Mount conf = compose.mountHolding(SPARK, CONF_IN_CONTAINER).orElseThrow();
    assertEquals(new Mount("bind", "./conf", CONF_IN_CONTAINER, true), conf);
    assertTrue(Files.isRegularFile(Path.of(conf.source()).resolve(DOCKER_CONF.getFileName())));

    Mount log4j = compose.mountHolding(SPARK, LOG4J_IN_CONTAINER).orElseThrow();
    assertEquals(
        new Mount(
            "bind", "./adlake-cluster/src/launcher/log4j2.properties", LOG4J_IN_CONTAINER, true),
        log4j);
    assertTrue(Files.isRegularFile(Path.of(log4j.source())), log4j.source());

    String submit = make("-n", "submit", "JOB=generate", "ARGS=--count 7").output();
    assertTrue(
        submit.contains(
            "exec -T "
                + SPARK
                + " spark-submit --driver-java-options"
                + " \"-Dlog4j2.configurationFile=file:"
                + LOG4J_IN_CONTAINER
                + "\" --class io.adlake.cli.Main "
                + JAR_IN_CONTAINER
                + " generate --env "
                + CONF_IN_CONTAINER
                + "/"
                + DOCKER_CONF.getFileName()
                + " --count 7"),
        submit);
    assertTrue(
        submit.contains(jar.source().substring(2)),
        "submit checks the jar the stack mounts: " + submit);
  }

  @Test
  void dockerConfPointsTheRestCatalogAndS3AtTheStacksServices() {
    assertEquals("adlake", docker.catalog().name());
    assertEquals("adlake", docker.catalog().namespace());
    String catalog = "spark.sql.catalog.adlake.";
    Map<String, String> p = SparkSessions.catalogProperties(docker.catalog());
    URI rest = URI.create(p.get(catalog + "uri"));
    URI s3 = URI.create(p.get(catalog + "s3.endpoint"));
    assertAll(
        () ->
            assertEquals(
                "org.apache.iceberg.spark.SparkCatalog", p.get("spark.sql.catalog.adlake")),
        () -> assertEquals("rest", p.get(catalog + "type")),
        () -> assertEquals(URI.create("http://" + REST + ":8181"), rest),
        () -> assertTrue(containerPorts(REST).contains(Integer.toString(rest.getPort()))),
        // S3 for table files, Hadoop for the local checkpoints the Iceberg streaming source writes
        // to.
        () -> assertEquals("org.apache.iceberg.io.ResolvingFileIO", p.get(catalog + "io-impl")),
        () -> assertEquals(URI.create(s3Endpoint()), s3),
        () -> assertTrue(containerPorts(S3).contains(Integer.toString(s3.getPort()))),
        () ->
            assertEquals(
                s3.toString(),
                compose.environment(REST).get("CATALOG_S3_ENDPOINT"),
                "the REST server writes table metadata to the same S3"),
        () -> assertEquals("true", p.get(catalog + "s3.path-style-access")),
        () ->
            assertEquals(
                System.getenv()
                    .getOrDefault("AWS_REGION", compose.environment(SPARK).get("AWS_REGION")),
                p.get(catalog + "client.region")),
        () -> assertEquals(docker.catalog().warehouse(), p.get(catalog + "warehouse")));
  }

  /**
   * The registry keeps its schemas in the stack's broker, and docker.conf points the jobs at its
   * Confluent API.
   */
  @Test
  void schemaRegistryStoresInTheBrokerAndDockerConfPointsAtItsConfluentApi() {
    assertEquals("service_healthy", compose.dependsOn(SCHEMA_REGISTRY).get(KAFKA));
    String internal = compose.environment(SCHEMA_REGISTRY).get("KAFKA_BOOTSTRAP_SERVERS");
    assertEquals(docker.source().kafka().bootstrapServers(), internal);
    Port port = compose.ports(SCHEMA_REGISTRY).get(0);
    assertEquals(
        Optional.of("http://" + SCHEMA_REGISTRY + ":" + port.containerPort() + "/apis/ccompat/v7"),
        docker.source().schemaRegistry().url());
  }

  @Test
  void kafkaBootstrapIsTheBrokersInternalListener() {
    Map<String, String> env = compose.environment(KAFKA);
    List<String> advertised = Arrays.asList(env.get("KAFKA_ADVERTISED_LISTENERS").split(","));
    String internal =
        advertised.stream()
            .map(l -> l.substring(l.indexOf("://") + 3))
            .filter(hostPort -> hostPort.startsWith(KAFKA + ":"))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no listener advertised as " + KAFKA + ":<port>: " + advertised));
    assertEquals(internal, docker.source().kafka().bootstrapServers());
    String hostPort = compose.ports(KAFKA).get(0).hostPort();
    assertTrue(
        advertised.stream().anyMatch(l -> l.endsWith("://127.0.0.1:" + hostPort)),
        "a listener for tools on the host, advertised as the published port: " + advertised);
  }

  @Test
  void s3KeysLiveOnlyInTheComposeFile() throws IOException {
    Map<String, String> server = compose.environment(S3);
    assertTrue(
        server.get("AWS_ACCESS_KEY_ID") != null && server.get("AWS_SECRET_ACCESS_KEY") != null,
        "the S3 server takes its admin keys from its environment: " + server.keySet());
    for (String service : List.of(SPARK, REST, TRINO, BUCKET_INIT)) {
      Map<String, String> env = compose.environment(service);
      assertEquals(server.get("AWS_ACCESS_KEY_ID"), env.get("AWS_ACCESS_KEY_ID"), service);
      assertEquals(server.get("AWS_SECRET_ACCESS_KEY"), env.get("AWS_SECRET_ACCESS_KEY"), service);
    }
    try (Stream<Path> files =
        Stream.concat(Files.list(Path.of("conf")), Files.walk(Path.of("compose")))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(file);
        assertFalse(
            text.contains(server.get("AWS_SECRET_ACCESS_KEY")), file + " holds the S3 secret key");
        assertFalse(
            text.contains("secret-access-key") || text.contains("access-key-id"),
            file + " sets S3 keys");
      }
    }
  }

  /**
   * The notebooks take the image's own catalog settings, whose S3 endpoint is the MinIO of the
   * image's quickstart: each points its catalog at the stack's S3, as conf/docker.conf does.
   */
  @Test
  void notebooksReadTheTablesThroughTheStacksS3() throws IOException {
    List<Path> notebooks;
    try (Stream<Path> files = Files.list(Path.of("notebooks"))) {
      notebooks = files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertEquals(6, notebooks.size(), "notebooks: " + notebooks);
    String catalog = "spark.sql.catalog." + docker.catalog().name();
    for (Path notebook : notebooks) {
      String text = new ObjectMapper().readTree(notebook.toFile()).toString();
      assertTrue(
          text.contains(
              "spark.conf.set(\\\"" + catalog + ".s3.endpoint\\\", \\\"" + s3Endpoint() + "\\\")"),
          notebook + " sets " + catalog + ".s3.endpoint to " + s3Endpoint());
      assertTrue(
          text.contains(
              "spark.conf.set(\\\"" + catalog + ".s3.path-style-access\\\", \\\"true\\\")"),
          notebook + " sets path-style access");
    }
  }

  /**
   * {@code up --wait} returns only when usable: every long-running service has a healthcheck Spark
   * waits on.
   */
  @Test
  void sparkStartsOnlyAfterEveryOtherServiceIsHealthyAndTheBucketExists() {
    for (String service : List.of(SPARK, REST, S3, KAFKA, SCHEMA_REGISTRY)) {
      assertTrue(compose.hasHealthcheck(service), service + " has no healthcheck");
    }
    assertEquals(
        Map.of(
            BUCKET_INIT,
            "service_completed_successfully",
            S3,
            "service_healthy",
            REST,
            "service_healthy",
            KAFKA,
            "service_healthy",
            SCHEMA_REGISTRY,
            "service_healthy"),
        compose.dependsOn(SPARK));
    assertEquals("service_healthy", compose.dependsOn(BUCKET_INIT).get(S3));
  }

  @Test
  void upsBannerNamesTheSchemaRegistryAtItsHostPort() throws Exception {
    Port port = compose.ports(SCHEMA_REGISTRY).get(0);
    String up = make("-n", "up").output();
    assertTrue(
        up.contains(
            "Schema registry (Confluent-compatible, Apicurio): http://"
                + port.hostIp()
                + ":"
                + port.hostPort()
                + "/apis/ccompat/v7"),
        up);
  }

  @Test
  void stackTargetsFailWithAClearMessageWithoutDockerCompose() throws Exception {
    for (String target : List.of("up", "submit", "trino", "down", "down-volumes")) {
      Result result = make(target, "COMPOSE=adlake-no-such-compose");
      assertEquals(2, result.exitCode(), target + ": " + result.output());
      assertTrue(
          result
              .output()
              .contains(
                  "make "
                      + target
                      + ": 'adlake-no-such-compose' is not available. "
                      + "Install Docker with the Compose v2 plugin"),
          result.output());
    }
  }

  @Test
  void trinoReadsTheRestCatalogAndTheBucketTheSparkJobsWrite() throws IOException {
    Mount mount =
        compose
            .mountHolding(TRINO, TRINO_CATALOG_IN_CONTAINER)
            .orElseThrow(
                () -> new AssertionError(TRINO + " mounts no " + TRINO_CATALOG_IN_CONTAINER));
    assertEquals(new Mount("bind", "./" + TRINO_CATALOG, TRINO_CATALOG_IN_CONTAINER, true), mount);
    Properties catalog = new Properties();
    try (var in = Files.newBufferedReader(Path.of(TRINO_CATALOG))) {
      catalog.load(in);
    }
    Map<String, String> spark = SparkSessions.catalogProperties(docker.catalog());
    String prefix = "spark.sql.catalog.adlake.";
    Map<String, String> env = compose.environment(TRINO);
    assertAll(
        () -> assertEquals("iceberg", catalog.getProperty("connector.name")),
        () -> assertEquals(spark.get(prefix + "type"), catalog.getProperty("iceberg.catalog.type")),
        () ->
            assertEquals(
                spark.get(prefix + "uri"), catalog.getProperty("iceberg.rest-catalog.uri")),
        () -> assertEquals("true", catalog.getProperty("fs.native-s3.enabled")),
        () -> assertEquals(spark.get(prefix + "s3.endpoint"), catalog.getProperty("s3.endpoint")),
        () ->
            assertEquals(
                spark.get(prefix + "s3.path-style-access"),
                catalog.getProperty("s3.path-style-access")),
        // The keys come from the container's environment, which holds the S3 keys (checked
        // above).
        () -> assertEquals("${ENV:AWS_ACCESS_KEY_ID}", catalog.getProperty("s3.aws-access-key")),
        () ->
            assertEquals("${ENV:AWS_SECRET_ACCESS_KEY}", catalog.getProperty("s3.aws-secret-key")),
        () -> assertEquals("${ENV:AWS_REGION}", catalog.getProperty("s3.region")),
        () ->
            assertTrue(
                env.keySet()
                    .containsAll(
                        List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"))),
        () ->
            assertEquals(
                Map.of(REST, "service_healthy", S3, "service_healthy"), compose.dependsOn(TRINO)),
        () -> assertTrue(compose.hasHealthcheck(TRINO), "up --wait waits for Trino"));
    Matcher version =
        Pattern.compile("<trino\\.version>(\\d+)</trino\\.version>")
            .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(version.find(), "pom.xml declares trino.version");
    assertEquals(
        "trinodb/trino:" + version.group(1),
        compose.image(TRINO),
        "the stack runs the Trino release TrinoInteropTest proves");
  }

  @Test
  void makeTrinoRunsEveryAthenaQueryOnTheStacksTrino() throws Exception {
    Mount athena = compose.mountHolding(TRINO, ATHENA_IN_CONTAINER).orElseThrow();
    assertEquals(new Mount("bind", "./athena", ATHENA_IN_CONTAINER, true), athena);
    String dryRun = make("-n", "trino", "COMPOSE=docker compose").output();
    List<String> queries;
    try (Stream<Path> files = Files.walk(Path.of("athena"))) {
      queries =
          files
              .filter(f -> f.toString().endsWith(".sql"))
              .map(f -> Path.of("athena").relativize(f).toString())
              .sorted()
              .toList();
    }
    assertEquals(23, queries.size(), "athena/ holds the 23 report queries: " + queries);
    for (String query : queries) {
      assertTrue(dryRun.contains(query), "make trino runs " + query + ":\n" + dryRun);
    }
    assertTrue(
        dryRun.contains(
            "exec -T "
                + TRINO
                + " trino --catalog iceberg --output-format ALIGNED --file "
                + ATHENA_IN_CONTAINER
                + "/$query"),
        dryRun);
    assertTrue(
        dryRun.contains("run 'make up' first"), "a stack that is not up is named: " + dryRun);
  }

  @Test
  void supersetBootstrapConnectsToTrinoAndImportsTheFourCharts() throws IOException {
    assertEquals(
        "/bin/sh " + SUPERSET_IN_CONTAINER + "/bootstrap.sh",
        compose.entrypointAndCommand(SUPERSET));
    assertEquals(
        new Mount("bind", "./compose/superset", SUPERSET_IN_CONTAINER, true),
        compose.mountHolding(SUPERSET, SUPERSET_IN_CONTAINER + "/bootstrap.sh").orElseThrow());
    assertOnNamedVolume(SUPERSET, "/app/superset_home");
    String bootstrap = Files.readString(Path.of("compose", "superset", "bootstrap.sh"));
    Map<String, String> env = compose.environment(SUPERSET);
    for (String step :
        List.of(
            "superset db upgrade",
            "superset fab create-admin",
            "superset init",
            "superset import-dashboards --path /tmp/adlake_dashboard.zip",
            "'adlake_dashboard'",
            "\"trino[sqlalchemy]==$TRINO_PYTHON_CLIENT_VERSION\"",
            "exec /usr/bin/run-server.sh")) {
      assertTrue(bootstrap.contains(step), "bootstrap.sh lacks: " + step);
    }
    Pattern variable = Pattern.compile("\\$\\{?([A-Z][A-Z_]+)");
    Matcher used = variable.matcher(bootstrap);
    while (used.find()) {
      assertTrue(
          env.containsKey(used.group(1)),
          "bootstrap.sh reads $" + used.group(1) + ", which compose does not set");
    }
    assertTrue(
        bootstrap.contains("\"$marker\"") && bootstrap.contains("/app/superset_home"),
        "bootstrap runs on the first start only, remembered on the volume");

    Path bundle = Path.of("compose", "superset", "adlake_dashboard");
    assertEquals("Dashboard", yaml(bundle.resolve("metadata.yaml")).get("type"));
    List<Map<String, Object>> databases = yamls(bundle.resolve("databases"));
    assertEquals(1, databases.size(), "one database connection");
    Map<String, Object> database = databases.get(0);
    URI trino = URI.create(String.valueOf(database.get("sqlalchemy_uri")));
    assertAll(
        () -> assertEquals("trino", trino.getScheme()),
        () -> assertEquals(TRINO, trino.getHost(), "the stack's Trino service"),
        () ->
            assertTrue(
                containerPorts(TRINO).contains(Integer.toString(trino.getPort())),
                trino.toString()),
        () ->
            assertEquals(
                "/iceberg/" + docker.catalog().namespace(),
                trino.getPath(),
                "catalog iceberg (" + TRINO_CATALOG + "), schema of the adlake tables"));

    Map<String, TableSpec> specs = tableSpecs();
    Map<String, Map<String, Object>> datasets = new HashMap<>();
    for (Map<String, Object> dataset : yamls(bundle.resolve("datasets"))) {
      String table = String.valueOf(dataset.get("table_name"));
      assertEquals(database.get("uuid"), dataset.get("database_uuid"), table);
      assertEquals(docker.catalog().namespace(), dataset.get("schema"), table);
      TableSpec spec = specs.get(table);
      assertTrue(spec != null, "dataset " + table + " is no adlake table");
      for (Map<String, Object> column : list(dataset.get("columns"))) {
        assertTrue(
            spec.columnNames().contains(column.get("column_name")),
            table + " has no column " + column);
      }
      datasets.put(String.valueOf(dataset.get("uuid")), dataset);
    }

    Map<String, String> charts = new HashMap<>();
    for (Map<String, Object> chart : yamls(bundle.resolve("charts"))) {
      String name = String.valueOf(chart.get("slice_name"));
      Map<String, Object> dataset = datasets.get(String.valueOf(chart.get("dataset_uuid")));
      assertTrue(dataset != null, name + ": its dataset is not in the bundle");
      Set<String> metrics =
          list(dataset.get("metrics")).stream()
              .map(m -> String.valueOf(m.get("metric_name")))
              .collect(Collectors.toSet());
      Set<String> columns =
          list(dataset.get("columns")).stream()
              .map(c -> String.valueOf(c.get("column_name")))
              .collect(Collectors.toSet());
      @SuppressWarnings("unchecked")
      Map<String, Object> params = (Map<String, Object>) chart.get("params");
      assertEquals(chart.get("viz_type"), params.get("viz_type"), name);
      for (Object metric : params.get("metrics") instanceof List<?> l ? l : List.of()) {
        assertTrue(
            metrics.contains(String.valueOf(metric)),
            name + ": no metric " + metric + " in its dataset");
      }
      for (String key : List.of("x_axis", "column")) {
        if (params.containsKey(key)) {
          assertTrue(
              columns.contains(String.valueOf(params.get(key))),
              name + ": no column " + params.get(key));
        }
      }
      charts.put(String.valueOf(chart.get("uuid")), name);
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "Bid requests by country",
                "Fill, win and CTR funnel by publisher",
                "Revenue over time",
                "Engagement histogram")),
        new TreeSet<>(charts.values()),
        "the four charts");

    List<Map<String, Object>> dashboards = yamls(bundle.resolve("dashboards"));
    assertEquals(1, dashboards.size());
    @SuppressWarnings("unchecked")
    Map<String, Object> position = (Map<String, Object>) dashboards.get(0).get("position");
    Set<String> onDashboard =
        position.values().stream()
            .filter(item -> item instanceof Map<?, ?> m && "CHART".equals(m.get("type")))
            .map(item -> String.valueOf(((Map<?, ?>) ((Map<?, ?>) item).get("meta")).get("uuid")))
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(charts.keySet()), onDashboard, "every chart on the dashboard");
  }

  @Test
  void cloudbeaverStartsWithATrinoConnection() throws IOException {
    Mount mount = compose.mountHolding(CLOUDBEAVER, CLOUDBEAVER_DATA_SOURCES).orElseThrow();
    assertEquals(
        new Mount(
            "bind", "./compose/cloudbeaver/data-sources.json", CLOUDBEAVER_DATA_SOURCES, true),
        mount);
    assertOnNamedVolume(CLOUDBEAVER, "/opt/cloudbeaver/workspace");
    JsonNode connections =
        new ObjectMapper().readTree(Path.of(mount.source()).toFile()).path("connections");
    assertEquals(1, connections.size(), "one pre-configured connection: " + connections);
    JsonNode connection = connections.elements().next();
    JsonNode configuration = connection.path("configuration");
    String port = configuration.path("port").asText();
    assertAll(
        () ->
            assertTrue(connection.path("driver").asText().contains("trino"), connection.toString()),
        () -> assertTrue(connection.path("name").asText().contains("Trino"), connection.toString()),
        () -> assertEquals(TRINO, configuration.path("host").asText()),
        () -> assertTrue(containerPorts(TRINO).contains(port), "Trino's container port: " + port),
        () ->
            assertEquals(
                "jdbc:trino://" + TRINO + ":" + port + "/iceberg/" + docker.catalog().namespace(),
                configuration.path("url").asText()));
    assertTrue(
        compose
            .environment(CLOUDBEAVER)
            .keySet()
            .containsAll(List.of("CB_SERVER_NAME", "CB_ADMIN_NAME", "CB_ADMIN_PASSWORD")),
        "the server is configured at start, without the setup wizard");
  }

  /** Every adlake table's declaration, by name. */
  private static Map<String, TableSpec> tableSpecs() {
    MergeMode mode = MergeMode.MERGE_ON_READ;
    return Stream.of(
            AdlakeTables.bidRequests(),
            AdlakeTables.bidResponses(),
            AdlakeTables.impressions(),
            AdlakeTables.clicks(),
            AdlakeTables.bidRequestsEnriched(),
            AdlakeTables.quarantine(),
            AdlakeTables.ingestMetrics(),
            AdlakeTables.enrichedAdData(docker.attribution().table(), mode),
            AdlakeTables.hourlyImpressionsByGeo(mode),
            AdlakeTables.rollingMetricsByBidder(mode),
            AdlakeTables.campaignMetrics5m(mode),
            AdlakeTables.hourlyFunnelByPublisher(mode),
            AdlakeTables.funnelEvents(),
            AdlakeTables.lateEvents())
        .collect(Collectors.toMap(TableSpec::name, spec -> spec));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    try (var in = Files.newBufferedReader(file)) {
      return (Map<String, Object>) new Yaml().load(in);
    }
  }

  private static List<Map<String, Object>> yamls(Path directory) throws IOException {
    List<Map<String, Object>> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        all.add(yaml(file));
      }
    }
    return all;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  private static String bucket() {
    Matcher m =
        Pattern.compile("s3api create-bucket --bucket (?<bucket>[a-z0-9.-]+)")
            .matcher(compose.entrypointAndCommand(BUCKET_INIT));
    assertTrue(m.find(), "the init names its bucket");
    return m.group("bucket");
  }

  /** The S3 endpoint conf/docker.conf gives the jobs' catalog. */
  private static String s3Endpoint() {
    return SparkSessions.catalogProperties(docker.catalog())
        .get("spark.sql.catalog." + docker.catalog().name() + ".s3.endpoint");
  }

  private static List<String> containerPorts(String service) {
    return compose.ports(service).stream().map(Port::containerPort).toList();
  }

  private static void assertOnNamedVolume(String service, String containerPath) {
    Mount mount =
        compose
            .mountHolding(service, containerPath)
            .orElseThrow(
                () ->
                    new AssertionError(
                        service
                            + ": "
                            + containerPath
                            + " is on no volume; it is lost "
                            + "with the container"));
    assertEquals(
        "volume",
        mount.type(),
        service + ": " + containerPath + " must be on a named volume: " + mount);
    assertTrue(
        compose.namedVolumes().contains(mount.source()), mount + " is not declared under volumes:");
  }

  private record Result(int exitCode, String output) {}

  private static Result make(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("make", "--no-print-directory"));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    // Not the flags of a `make test` this JVM may run under.
    builder.environment().keySet().removeAll(List.of("MAKEFLAGS", "MFLAGS", "MAKELEVEL"));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "make " + String.join(" ", args) + " hangs");
    return new Result(process.exitValue(), output);
  }
}
