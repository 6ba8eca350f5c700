package io.adlake.compose;

import static io.adlake.compose.ComposeFile.BUCKET_INIT;
import static io.adlake.compose.ComposeFile.CONF_IN_CONTAINER;
import static io.adlake.compose.ComposeFile.JAR_IN_CONTAINER;
import static io.adlake.compose.ComposeFile.KAFKA;
import static io.adlake.compose.ComposeFile.MINIO;
import static io.adlake.compose.ComposeFile.REST;
import static io.adlake.compose.ComposeFile.SCHEMA_REGISTRY;
import static io.adlake.compose.ComposeFile.SERVICES;
import static io.adlake.compose.ComposeFile.SPARK;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.compose.ComposeFile.Mount;
import io.adlake.compose.ComposeFile.Port;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.job.SparkSessions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the local container stack promises, checked on the files alone (no Docker needed): pinned images,
 * loopback-only ports, state on volumes, a bucket init that never deletes, and conf/docker.conf, the
 * Makefile and docker-compose.yml naming the same services, ports and paths.
 */
class ComposeStackFileTest {
  private static final Path DOCKER_CONF = Path.of("conf", "docker.conf");
  private static final Pattern PINNED_IMAGE = Pattern.compile("[a-z0-9./_-]+:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*)");
  private static final Pattern SQLITE_FILE = Pattern.compile("jdbc:sqlite:(?:file:)?(?<path>/[^?]+)(?:\\?.*)?");

  private static ComposeFile compose;
  private static AdlakeConfig docker;

  @BeforeAll
  static void load() throws IOException {
    compose = ComposeFile.load();
    docker = ConfigLoader.load(DOCKER_CONF.toString(), List.of());
  }

  @Test
  void everyServiceRunsAPinnedReleaseTag() {
    assertEquals(SERVICES.stream().sorted().toList(), compose.services().keySet().stream().sorted().toList());
    for (String service : SERVICES) {
      String image = compose.image(service);
      Matcher m = PINNED_IMAGE.matcher(image);
      assertTrue(m.matches(), service + ": image '" + image + "' has no tag");
      assertNotEquals("latest", m.group("tag"), service + ": 'latest' moves under you");
      assertTrue(m.group("tag").matches(".*\\d.*"), service + ": tag '" + m.group("tag") + "' names no release");
    }
  }

  @Test
  void everyPublishedPortBindsLoopbackOnly() {
    List<String> published = new ArrayList<>();
    for (String service : SERVICES) {
      for (Port port : compose.ports(service)) {
        published.add(service + " " + port.hostPort());
        assertEquals("127.0.0.1", port.hostIp(), service + " publishes " + port + " beyond loopback");
      }
    }
    assertTrue(published.containsAll(List.of(SPARK + " 8888", REST + " 8181", MINIO + " 9000", MINIO + " 9001",
        KAFKA + " 9092")), "Jupyter, REST, S3 API, MinIO console and Kafka reach the host: " + published);
  }

  @Test
  void bucketInitCreatesTheWarehouseBucketAndNeverDeletesData() {
    String init = compose.entrypointAndCommand(BUCKET_INIT);
    assertTrue(init.contains("mc mb --ignore-existing"), "creates the bucket only when missing: " + init);
    assertFalse(Pattern.compile("\\bmc\\s+(rm|rb|del|mirror)\\b").matcher(init).find(),
        "the init must not remove objects or buckets: " + init);
    assertFalse(init.contains("--force") || init.contains("--remove"), "no forced deletion: " + init);
    assertEquals("s3://" + bucket() + "/", docker.catalog().warehouse());
    assertEquals(docker.catalog().warehouse(), compose.environment(REST).get("CATALOG_WAREHOUSE"),
        "the REST server and Spark place tables under the same root");
  }

  @Test
  void restCatalogKeepsItsDatabaseInAFileOnANamedVolume() {
    String uri = compose.environment(REST).get("CATALOG_URI");
    Matcher m = SQLITE_FILE.matcher(String.valueOf(uri));
    assertTrue(m.matches() && !uri.contains("memory"),
        "the fixture's default is SQLite in memory, lost on every restart: CATALOG_URI=" + uri);
    assertOnNamedVolume(REST, m.group("path"));
  }

  @Test
  void tablesTopicsAndCheckpointsAllLiveOnNamedVolumes() {
    List<String> command = List.of(compose.entrypointAndCommand(MINIO).split("\\s+"));
    assertOnNamedVolume(MINIO, command.get(command.indexOf("server") + 1));
    assertOnNamedVolume(KAFKA, compose.environment(KAFKA).get("KAFKA_LOG_DIRS"));
    assertOnNamedVolume(SPARK, docker.streaming().checkpointRoot());
    assertOnNamedVolume(SPARK, docker.source().files().path());
  }

  @Test
  void jarAndConfAreMountedReadOnlyWhereTheMakefileLooksForThem() throws Exception {
    Mount jar = compose.mountHolding(SPARK, JAR_IN_CONTAINER).orElseThrow();
    assertEquals(new Mount("bind", "./" + System.getProperty("adlake.jar", "target/adlake-0.1.0.jar"),
        JAR_IN_CONTAINER, true), jar);
    Mount conf = compose.mountHolding(SPARK, CONF_IN_CONTAINER).orElseThrow();
    assertEquals(new Mount("bind", "./conf", CONF_IN_CONTAINER, true), conf);
    assertTrue(Files.isRegularFile(Path.of(conf.source()).resolve(DOCKER_CONF.getFileName())));

    String submit = make("-n", "submit", "JOB=generate", "ARGS=--count 7").output();
    assertTrue(submit.contains("exec -T " + SPARK + " spark-submit --class io.adlake.cli.Main " + JAR_IN_CONTAINER
        + " generate --env " + CONF_IN_CONTAINER + "/" + DOCKER_CONF.getFileName() + " --count 7"), submit);
    assertTrue(submit.contains(jar.source().substring(2)), "submit checks the jar the stack mounts: " + submit);
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
        () -> assertEquals("org.apache.iceberg.spark.SparkCatalog", p.get("spark.sql.catalog.adlake")),
        () -> assertEquals("rest", p.get(catalog + "type")),
        () -> assertEquals(URI.create("http://" + REST + ":8181"), rest),
        () -> assertTrue(containerPorts(REST).contains(Integer.toString(rest.getPort()))),
        () -> assertEquals("org.apache.iceberg.aws.s3.S3FileIO", p.get(catalog + "io-impl")),
        () -> assertEquals(URI.create("http://" + MINIO + ":9000"), s3),
        () -> assertTrue(containerPorts(MINIO).contains(Integer.toString(s3.getPort()))),
        () -> assertEquals("true", p.get(catalog + "s3.path-style-access")),
        () -> assertEquals(System.getenv().getOrDefault("AWS_REGION", compose.environment(SPARK).get("AWS_REGION")),
            p.get(catalog + "client.region")),
        () -> assertEquals(docker.catalog().warehouse(), p.get(catalog + "warehouse")));
  }

  /** The registry keeps its schemas in the stack's broker, and docker.conf points the jobs at its Confluent API. */
  @Test
  void schemaRegistryStoresInTheBrokerAndDockerConfPointsAtItsConfluentApi() {
    assertEquals("service_healthy", compose.dependsOn(SCHEMA_REGISTRY).get(KAFKA));
    String internal = compose.environment(SCHEMA_REGISTRY).get("KAFKA_BOOTSTRAP_SERVERS");
    assertEquals(docker.source().kafka().bootstrapServers(), internal);
    Port port = compose.ports(SCHEMA_REGISTRY).get(0);
    assertEquals(Optional.of("http://" + SCHEMA_REGISTRY + ":" + port.containerPort() + "/apis/ccompat/v7"),
        docker.source().schemaRegistry().url());
  }

  @Test
  void kafkaBootstrapIsTheBrokersInternalListener() {
    Map<String, String> env = compose.environment(KAFKA);
    List<String> advertised = Arrays.asList(env.get("KAFKA_ADVERTISED_LISTENERS").split(","));
    String internal = advertised.stream().map(l -> l.substring(l.indexOf("://") + 3))
        .filter(hostPort -> hostPort.startsWith(KAFKA + ":")).findFirst()
        .orElseThrow(() -> new AssertionError("no listener advertised as " + KAFKA + ":<port>: " + advertised));
    assertEquals(internal, docker.source().kafka().bootstrapServers());
    String hostPort = compose.ports(KAFKA).get(0).hostPort();
    assertTrue(advertised.stream().anyMatch(l -> l.endsWith("://127.0.0.1:" + hostPort)),
        "a listener for tools on the host, advertised as the published port: " + advertised);
  }

  @Test
  void minioKeysLiveOnlyInTheComposeFile() throws IOException {
    Map<String, String> minio = compose.environment(MINIO);
    for (String service : List.of(SPARK, REST)) {
      Map<String, String> env = compose.environment(service);
      assertEquals(minio.get("MINIO_ROOT_USER"), env.get("AWS_ACCESS_KEY_ID"), service);
      assertEquals(minio.get("MINIO_ROOT_PASSWORD"), env.get("AWS_SECRET_ACCESS_KEY"), service);
    }
    try (Stream<Path> files = Files.list(Path.of("conf"))) {
      for (Path file : files.toList()) {
        String text = Files.readString(file);
        assertFalse(text.contains(minio.get("MINIO_ROOT_PASSWORD")), file + " holds the MinIO secret key");
        assertFalse(text.contains("secret-access-key") || text.contains("access-key-id"), file + " sets S3 keys");
      }
    }
  }

  /** {@code up --wait} returns only when usable: every long-running service has a healthcheck Spark waits on. */
  @Test
  void sparkStartsOnlyAfterEveryOtherServiceIsHealthyAndTheBucketExists() {
    for (String service : List.of(SPARK, REST, MINIO, KAFKA, SCHEMA_REGISTRY)) {
      assertTrue(compose.hasHealthcheck(service), service + " has no healthcheck");
    }
    assertEquals(Map.of(BUCKET_INIT, "service_completed_successfully", MINIO, "service_healthy",
        REST, "service_healthy", KAFKA, "service_healthy", SCHEMA_REGISTRY, "service_healthy"),
        compose.dependsOn(SPARK));
    assertEquals("service_healthy", compose.dependsOn(BUCKET_INIT).get(MINIO));
  }

  @Test
  void stackTargetsFailWithAClearMessageWithoutDockerCompose() throws Exception {
    for (String target : List.of("up", "submit", "down", "down-volumes")) {
      Result result = make(target, "COMPOSE=adlake-no-such-compose");
      assertEquals(2, result.exitCode(), target + ": " + result.output());
      assertTrue(result.output().contains("make " + target + ": 'adlake-no-such-compose' is not available. "
          + "Install Docker with the Compose v2 plugin"), result.output());
    }
  }

  private static String bucket() {
    Matcher m = Pattern.compile("mc mb --ignore-existing \\S+/(?<bucket>[a-z0-9.-]+)")
        .matcher(compose.entrypointAndCommand(BUCKET_INIT));
    assertTrue(m.find(), "the init names its bucket");
    return m.group("bucket");
  }

  private static List<String> containerPorts(String service) {
    return compose.ports(service).stream().map(Port::containerPort).toList();
  }

  private static void assertOnNamedVolume(String service, String containerPath) {
    Mount mount = compose.mountHolding(service, containerPath)
        .orElseThrow(() -> new AssertionError(service + ": " + containerPath + " is on no volume; it is lost "
            + "with the container"));
    assertEquals("volume", mount.type(), service + ": " + containerPath + " must be on a named volume: " + mount);
    assertTrue(compose.namedVolumes().contains(mount.source()), mount + " is not declared under volumes:");
  }

  private record Result(int exitCode, String output) {}

  private static Result make(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("make", "--no-print-directory"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // Not the flags of a `make test` this JVM may run under.
    builder.environment().keySet().removeAll(List.of("MAKEFLAGS", "MFLAGS", "MAKELEVEL"));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "make " + String.join(" ", args) + " hangs");
    return new Result(process.exitValue(), output);
  }
}
