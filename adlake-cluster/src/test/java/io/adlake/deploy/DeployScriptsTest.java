package io.adlake.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.deploy.DummyDeployment.AwsRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * glue/deploy.sh and emr/deploy.sh under a fake {@code aws} placed first on PATH, which records its
 * arguments and answers like the real one would for a fresh account. The jars are stand-ins with
 * the names make build gives the three lines' jars, so the choice of jar is tested without a build.
 * No command leaves this machine.
 */
class DeployScriptsTest {
  private static final List<String> SCRIPTS =
      List.of("glue/deploy.sh", "emr/deploy.sh", "bin/aws-deploy-lib.sh");
  private static final List<String> LINES =
      List.of("spark3.5_2.12", "spark4.0_2.13", "spark4.1_2.13");

  /** The jobs a deploy without {@code --jobs} creates, one streaming application each. */
  private static final List<String> DEFAULT_JOBS =
      List.of("ingest", "attribute", "conversions", "aggregate");

  private static final List<String> ALL_JOBS =
      List.of("ingest", "attribute", "conversions", "aggregate", "run");

  /**
   * Fails when called in dry-run mode; otherwise answers: no job, no application (or the one
   * FAKE_EMR_APPLICATION names, "id release"), no active run.
   */
  private static final String FAKE_AWS =
      """
      #!/usr/bin/env bash
      printf '%s\\n' "$*" >>"$FAKE_AWS_CALLS"
      if [[ $FAKE_AWS_MODE == dry-run ]]; then echo "fake aws: called during a dry run" >&2; exit 97; fi
      case "$1 $2" in
        "glue get-job") echo "EntityNotFoundException" >&2; exit 254 ;;
        "emr-serverless list-applications") printf '%b\\n' "${FAKE_EMR_APPLICATION:-None}" ;;
        "emr-serverless get-application") echo "${FAKE_EMR_APPLICATION#*\\\\t}" ;;
        "glue get-job-runs" | "emr-serverless list-job-runs") echo None ;;
        "glue start-job-run") echo jr_0001 ;;
        "emr-serverless create-application") echo 00fakeapplication ;;
        "emr-serverless start-job-run") echo 00fakejobrun ;;
      esac
      """;

  @TempDir Path dir;

  static Stream<AwsRuntime> glueVersions() {
    return AwsRuntime.of("glue").stream();
  }

  static Stream<AwsRuntime> emrReleases() {
    return AwsRuntime.of("emr").stream();
  }

  @Test
  void scriptsAreValidBash() throws Exception {
    for (String script : SCRIPTS) {
      Result r = run(List.of("bash", "-n", script), Map.of());
      assertEquals(0, r.code, script + ": " + r.stderr);
    }
  }

  /** Each Glue version gets its GlueVersion and the jar of its Spark line, in every job. */
  @ParameterizedTest
  @MethodSource("glueVersions")
  void glueDryRunRendersEveryJobForTheVersionAndItsJar(AwsRuntime version) throws Exception {
    Path out = dir.resolve("out/glue");
    Result each = dryRun("glue/deploy.sh", Map.of("GLUE_VERSION", version.name()));
    Result run = dryRun("glue/deploy.sh", Map.of("GLUE_VERSION", version.name()), "--jobs", "run");
    String jarUri = jarUri(version);
    String confUri = uriOf(out.resolve("adlake-glue.conf"), "conf");
    for (Result r : List.of(each, run)) {
      assertTrue(
          r.stdout.contains("aws s3 cp " + jar(version.sparkLine()) + " " + jarUri), r.stdout);
      assertTrue(
          r.stderr.contains(
              "Glue " + version.name() + " runs " + describe(version.sparkLine()) + ": "),
          r.stderr);
      assertTrue(r.stdout.contains("aws s3 cp " + out.resolve("adlake-glue.conf")), r.stdout);
    }
    for (String job : DEFAULT_JOBS) {
      assertTrue(
          each.stdout.contains(
              "aws glue create-job --cli-input-json file://" + out.resolve("job-" + job + ".json")),
          each.stdout);
      assertTrue(
          each.stdout.contains(
              "aws glue update-job --job-name adlake-" + job + " --job-update file://"),
          each.stdout);
      assertTrue(each.stdout.contains("aws glue start-job-run --job-name adlake-" + job));
    }
    assertFalse(each.stdout.contains("adlake-run"), "run is deployed only when asked for");
    assertTrue(
        each.stdout.contains("aws s3 cp " + out.resolve("adlake-glue.conf") + " " + confUri));

    for (String job : ALL_JOBS) {
      String what = "glue/job-" + job + ".json for Glue " + version.name();
      JsonNode created = rendered(out.resolve("job-" + job + ".json"));
      AwsCliInputs.assertAccepted(AwsCliInputs.CREATE_JOB, created, what);
      assertEquals("adlake-" + job, created.get("Name").asText(), what);
      assertEquals(version.name(), created.get("GlueVersion").asText(), what);
      assertEquals("Sun:03", created.get("MaintenanceWindow").asText(), what);
      assertEquals(jarUri, created.at("/DefaultArguments/--extra-jars").asText(), what);
      assertEquals(confUri, created.at("/DefaultArguments/--extra-files").asText(), what);
      JsonNode update = rendered(out.resolve("job-" + job + ".update.json"));
      AwsCliInputs.assertAccepted(AwsCliInputs.JOB_UPDATE, update, what + " (update)");
      ObjectNode withoutName = created.deepCopy();
      withoutName.remove("Name");
      assertEquals(withoutName, update, "UpdateJob's JobUpdate is the definition less its Name");
    }
    for (String policy : List.of("iam-policy.json", "iam-policy-kinesis-efo.json")) {
      AwsCliInputs.assertAccepted(AwsCliInputs.IAM_POLICY, rendered(out.resolve(policy)), policy);
    }

    // The configuration Glue ships with --extra-files loads with no environment variable at all.
    AdlakeConfig shipped = ConfigLoader.load(out.resolve("adlake-glue.conf").toString(), List.of());
    assertEquals(DummyDeployment.WAREHOUSE, shipped.catalog().warehouse());
    assertEquals(DummyDeployment.CHECKPOINTS, shipped.streaming().checkpointRoot());
    assertEquals(DummyDeployment.BROKERS, shipped.source().kafka().bootstrapServers());
    assertEquals("xx-test-1", shipped.catalog().properties().get("client.region"));
  }

  /** Each EMR release gets its release label and the jar of its Spark line, in every job run. */
  @ParameterizedTest
  @MethodSource("emrReleases")
  void emrDryRunRendersTheApplicationAndEveryRunForTheReleaseAndItsJar(AwsRuntime release)
      throws Exception {
    Path out = dir.resolve("out/emr");
    Result each = dryRun("emr/deploy.sh", Map.of("EMR_RELEASE", release.name()));
    Result run = dryRun("emr/deploy.sh", Map.of("EMR_RELEASE", release.name()), "--jobs", "run");
    for (Result r : List.of(each, run)) {
      assertTrue(
          r.stdout.contains(
              "aws emr-serverless create-application --cli-input-json file://"
                  + out.resolve("application.json")
                  + " --network-configuration"),
          r.stdout);
      assertTrue(
          r.stdout.contains("aws s3 cp " + jar(release.sparkLine()) + " " + jarUri(release)),
          r.stdout);
    }
    assertTrue(
        run.stdout.contains(
            "aws emr-serverless start-job-run --cli-input-json file://"
                + out.resolve("job-run.json")),
        run.stdout);
    assertFalse(each.stdout.contains("adlake-run"), "run is deployed only when asked for");

    JsonNode application = rendered(out.resolve("application.json"));
    AwsCliInputs.assertAccepted(AwsCliInputs.CREATE_APPLICATION, application, "application.json");
    assertEquals(release.name(), application.get("releaseLabel").asText());
    assertEquals("X86_64", application.get("architecture").asText());
    for (String job : ALL_JOBS) {
      String what = "emr/job-" + job + ".json for " + release.name();
      JsonNode jobRun = rendered(out.resolve("job-" + job + ".json"));
      AwsCliInputs.assertAccepted(AwsCliInputs.START_JOB_RUN, jobRun, what);
      assertEquals("adlake-" + job, jobRun.get("name").asText(), what);
      assertEquals(jarUri(release), jobRun.at("/jobDriver/sparkSubmit/entryPoint").asText(), what);
    }
  }

  /** Without GLUE_VERSION or EMR_RELEASE: the first row of each runtimes.tsv, and its jar. */
  @Test
  void theNewestRuntimeIsTheDefault() throws Exception {
    dryRun("glue/deploy.sh", Map.of(), "--jobs", "run");
    JsonNode glue = rendered(dir.resolve("out/glue/job-run.json"));
    assertEquals("6.1", glue.get("GlueVersion").asText());
    assertTrue(glue.at("/DefaultArguments/--extra-jars").asText().endsWith("-spark4.1_2.13.jar"));
    dryRun("emr/deploy.sh", Map.of(), "--jobs", "run");
    assertEquals(
        "emr-spark-8.0.0",
        rendered(dir.resolve("out/emr/application.json")).get("releaseLabel").asText());
    assertTrue(
        rendered(dir.resolve("out/emr/job-run.json"))
            .at("/jobDriver/sparkSubmit/entryPoint")
            .asText()
            .endsWith("-spark4.0_2.13.jar"));
  }

  @Test
  void aJarOfAnotherSparkLineIsRefusedNamingTheJarThatFits() throws Exception {
    Map<String, String> env = deploymentEnvironment("dry-run");
    env.put("GLUE_VERSION", "6.0");
    env.put("ADLAKE_JAR", jar("spark3.5_2.12").toString());
    Result r = run(List.of("glue/deploy.sh", "--dry-run"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(
        r.stderr.contains(
            "ADLAKE_JAR="
                + jar("spark3.5_2.12")
                + " is built for Spark 3.5 / Scala 2.12, but Glue 6.0 runs Spark 4.1 / Scala 2.13:"
                + " use "
                + jar("spark4.1_2.13")),
        r.stderr);

    env.remove("GLUE_VERSION");
    env.put("EMR_RELEASE", "emr-7.14.0");
    env.put("ADLAKE_JAR", jar("spark4.0_2.13").toString());
    r = run(List.of("emr/deploy.sh", "--dry-run"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(
        r.stderr.contains(
            "is built for Spark 4.0 / Scala 2.13, but emr-7.14.0 runs Spark 3.5 / Scala 2.12: use "
                + jar("spark3.5_2.12")),
        r.stderr);
    assertFalse(Files.exists(calls()));
  }

  @Test
  void aMissingJarOfTheLineIsRefusedWithTheBuildToRun() throws Exception {
    Map<String, String> env = deploymentEnvironment("dry-run");
    Files.delete(jar("spark4.1_2.13"));
    Result r = run(List.of("glue/deploy.sh", "--dry-run"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(
        r.stderr.contains(
            "Glue 6.1 runs Spark 4.1 / Scala 2.13: use "
                + jars().resolve("adlake-<version>-spark4.1_2.13.jar")
                + " (make build)"),
        r.stderr);
  }

  @Test
  void anUnknownRuntimeOrMaintenanceWindowIsRefusedSayingWhatFits() throws Exception {
    Map<String, String> env = deploymentEnvironment("dry-run");
    env.put("GLUE_VERSION", "4.0");
    Result r = run(List.of("glue/deploy.sh", "--dry-run"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(r.stderr.contains("GLUE_VERSION=4.0 is not a runtime"), r.stderr);
    assertTrue(r.stderr.contains("6.1 6.0 5.1 5.0"), r.stderr);

    env.put("GLUE_VERSION", "6.1");
    env.put("GLUE_MAINTENANCE_WINDOW", "Sunday:3");
    r = run(List.of("glue/deploy.sh", "--dry-run"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(
        r.stderr.contains(
            "GLUE_MAINTENANCE_WINDOW is a day and an hour in GMT, e.g. Sun:03, got 'Sunday:3'"),
        r.stderr);
  }

  /**
   * A retried or restarted run must not pick up new code against old checkpoints: the jar goes to a
   * key of its content, so a new build gets a new key and the same build the same one.
   */
  @Test
  void theJarGoesUnderAKeyOfItsContent() throws Exception {
    AwsRuntime version = AwsRuntime.of("glue").get(0);
    Result first = dryRun("glue/deploy.sh", Map.of());
    Result again = dryRun("glue/deploy.sh", Map.of());
    Files.writeString(jar(version.sparkLine()), "another build");
    Result rebuilt = dryRun("glue/deploy.sh", Map.of());
    String key = uploadedJar(first);
    assertTrue(
        key.matches(
            "s3://dummy-lake-bucket/adlake/artifacts/jars/[0-9a-f]{16}/adlake-0\\.1\\.0-"
                + "spark4\\.1_2\\.13\\.jar"),
        key);
    assertEquals(key, uploadedJar(again));
    assertNotEquals(key, uploadedJar(rebuilt));
    assertEquals(jarUri(version), uploadedJar(rebuilt));
    assertEquals(
        uploadedJar(rebuilt),
        rendered(dir.resolve("out/glue/job-ingest.json"))
            .at("/DefaultArguments/--extra-jars")
            .asText());
  }

  @Test
  void glueDeployCreatesTheMissingJobsAndStartsOneRunEach() throws Exception {
    Result r = deploy("glue/deploy.sh", "answer");
    assertEquals(0, r.code, r.stderr);
    List<String> calls = Files.readAllLines(calls());
    AwsRuntime version = AwsRuntime.of("glue").get(0);
    assertEquals(
        "s3 cp " + jar(version.sparkLine()) + " " + jarUri(version) + " --region xx-test-1",
        calls.get(0));
    for (String job : DEFAULT_JOBS) {
      String name = "adlake-" + job;
      assertTrue(
          calls.contains(
              "glue create-job --cli-input-json file://"
                  + dir.resolve("out/glue/job-" + job + ".json")
                  + " --region xx-test-1"),
          String.join("\n", calls));
      assertTrue(
          calls.contains(
              "glue start-job-run --job-name "
                  + name
                  + " --query JobRunId --output text"
                  + " --region xx-test-1"),
          String.join("\n", calls));
    }
    assertFalse(calls.stream().anyMatch(c -> c.startsWith("glue update-job")), "no job existed");
    assertTrue(r.stdout.contains("adlake-ingest: started run jr_0001"), r.stdout);
  }

  @Test
  void emrDeployCreatesTheApplicationInTheVpcAndStartsOneRunPerJob() throws Exception {
    Result r = deploy("emr/deploy.sh", "answer");
    assertEquals(0, r.code, r.stderr);
    List<String> calls = Files.readAllLines(calls());
    assertTrue(
        calls.contains(
            "emr-serverless create-application --cli-input-json file://"
                + dir.resolve("out/emr/application.json")
                + " --network-configuration "
                + "subnetIds=subnet-aaa,subnet-bbb,securityGroupIds=sg-ccc --query applicationId --output text"
                + " --region xx-test-1"),
        String.join("\n", calls));
    assertEquals(
        DEFAULT_JOBS.size(),
        calls.stream().filter(c -> c.startsWith("emr-serverless start-job-run")).count());
    JsonNode ingest = rendered(dir.resolve("out/emr/job-ingest.json"));
    assertEquals(
        "00fakeapplication", ingest.get("applicationId").asText(), "the application just created");
  }

  /** An application runs one release: the jar of another release's line would fail on it. */
  @Test
  void anExistingApplicationOfAnotherReleaseIsRefused() throws Exception {
    Map<String, String> env = deploymentEnvironment("answer");
    env.put("EMR_RELEASE", "emr-spark-8.0.0");
    env.put("FAKE_EMR_APPLICATION", "00oldapplication\\temr-7.14.0");
    Result r = run(List.of("emr/deploy.sh"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(
        r.stderr.contains(
            "application 00oldapplication runs emr-7.14.0, not EMR_RELEASE=emr-spark-8.0.0"),
        r.stderr);
    assertTrue(r.stderr.contains("EMR_RELEASE=emr-7.14.0"), r.stderr);
    assertTrue(
        r.stderr.contains(
            "aws emr-serverless update-application --application-id 00oldapplication"
                + " --release-label emr-spark-8.0.0"),
        r.stderr);
    List<String> calls = Files.readAllLines(calls());
    assertFalse(
        calls.stream().anyMatch(c -> c.contains("start-job-run")), String.join("\n", calls));

    // The same check for an application named by EMR_APPLICATION_ID.
    Files.delete(calls());
    env.put("EMR_APPLICATION_ID", "00oldapplication");
    r = run(List.of("emr/deploy.sh"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(r.stderr.contains("runs emr-7.14.0, not EMR_RELEASE=emr-spark-8.0.0"), r.stderr);

    // An application of the same release is used as it is.
    Files.delete(calls());
    env.put("EMR_RELEASE", "emr-7.14.0");
    r = run(List.of("emr/deploy.sh"), env);
    assertEquals(0, r.code, r.stderr);
    assertEquals(
        "00oldapplication",
        rendered(dir.resolve("out/emr/job-ingest.json")).get("applicationId").asText());
  }

  @Test
  void aMissingVariableStopsTheScriptNamingIt() throws Exception {
    Map<String, String> env = deploymentEnvironment("dry-run");
    env.remove("GLUE_ROLE_ARN");
    Result r = run(List.of("glue/deploy.sh", "--dry-run"), env);
    assertEquals(2, r.code, r.stdout);
    assertTrue(r.stderr.contains("GLUE_ROLE_ARN"), r.stderr);
    assertFalse(Files.exists(calls()));
  }

  @Test
  void runIsNeverDeployedBesideTheJobsItContains() throws Exception {
    Result r = deploy("emr/deploy.sh", "dry-run", "--dry-run", "--jobs", "ingest,run");
    assertEquals(2, r.code, r.stdout);
    assertTrue(r.stderr.contains("deploy it alone"), r.stderr);
  }

  @Test
  void helpListsTheRuntimesAndTheirJars() throws Exception {
    Result r = run(List.of("emr/deploy.sh", "--help"), deploymentEnvironment("dry-run"));
    assertEquals(0, r.code, r.stderr);
    for (AwsRuntime release : AwsRuntime.of("emr")) {
      assertTrue(r.stdout.contains(release.name()), r.stdout);
    }
    assertTrue(r.stdout.contains("Spark 4.0 / Scala 2.13: adlake-<version>-spark4.0_2.13.jar"));
  }

  /**
   * A dry run that succeeds, calls no aws and fills every placeholder; extra variables on top of
   * the deployment's.
   */
  private Result dryRun(String script, Map<String, String> variables, String... arguments)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(script, "--dry-run"));
    command.addAll(List.of(arguments));
    Map<String, String> env = deploymentEnvironment("dry-run");
    env.putAll(variables);
    Result r = run(command, env);
    assertEquals(0, r.code, r.stderr);
    assertFalse(Files.exists(calls()), "aws was called in a dry run: " + read(calls()));
    assertFalse(r.stdout.contains("${"), r.stdout);
    return r;
  }

  private Result deploy(String script, String fakeAwsMode, String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(script));
    command.addAll(List.of(arguments));
    return run(command, deploymentEnvironment(fakeAwsMode));
  }

  private Map<String, String> deploymentEnvironment(String fakeAwsMode) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path aws = bin.resolve("aws");
    Files.writeString(aws, FAKE_AWS);
    assertTrue(aws.toFile().setExecutable(true));
    Files.createDirectories(jars());
    for (String line : LINES) {
      if (!Files.exists(jar(line))) {
        Files.writeString(jar(line), "not a jar: deploy.sh only uploads it (" + line + ")");
      }
    }
    Map<String, String> env = new HashMap<>(DummyDeployment.VARIABLES);
    env.remove("EMR_APPLICATION_ID"); // found or created by the script
    env.put("EMR_SUBNET_IDS", "subnet-aaa,subnet-bbb");
    env.put("EMR_SECURITY_GROUP_IDS", "sg-ccc");
    env.put("ADLAKE_JAR_DIR", jars().toString());
    env.put("ADLAKE_OUT", dir.resolve("out").toString());
    env.put("FAKE_AWS_CALLS", calls().toString());
    env.put("FAKE_AWS_MODE", fakeAwsMode);
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    return env;
  }

  private Path jars() {
    return dir.resolve("jars");
  }

  /** The stand-in for make build's jar of a Spark line. */
  private Path jar(String line) {
    return jars().resolve("adlake-0.1.0-" + line + ".jar");
  }

  /** Where deploy.sh uploads the runtime's jar: a key of the jar's SHA-256. */
  private String jarUri(AwsRuntime runtime) throws IOException {
    return uriOf(jar(runtime.sparkLine()), "jars");
  }

  private static String uriOf(Path file, String kind) throws IOException {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      return DummyDeployment.S3_ROOT
          + "/artifacts/"
          + kind
          + "/"
          + HexFormat.of().formatHex(hash).substring(0, 16)
          + "/"
          + file.getFileName();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The S3 URI of the jar a dry run uploads. */
  private static String uploadedJar(Result r) {
    return r.stdout
        .lines()
        .filter(l -> l.startsWith("aws s3 cp ") && l.contains(".jar "))
        .map(l -> l.split(" ")[4])
        .findFirst()
        .orElseThrow(() -> new AssertionError("no jar upload in\n" + r.stdout));
  }

  private static String describe(String line) {
    String versions = line.substring("spark".length());
    return "Spark "
        + versions.substring(0, versions.indexOf('_'))
        + " / Scala "
        + versions.substring(versions.indexOf('_') + 1);
  }

  private Path calls() {
    return dir.resolve("aws-calls.txt");
  }

  private static JsonNode rendered(Path file) {
    String text = read(file);
    assertFalse(text.contains("${"), file + " keeps a placeholder: " + text);
    return DummyDeployment.parse(text, file.toString());
  }

  private static String read(Path file) {
    return Files.exists(file) ? DummyDeployment.read(file) : "";
  }

  record Result(int code, String stdout, String stderr) {}

  /**
   * Runs in the repository root with only the given environment (no AWS settings of this machine
   * leak in).
   */
  private Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().putIfAbsent("PATH", System.getenv("PATH"));
    pb.environment().put("HOME", dir.toString());
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Process p = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
    return new Result(
        p.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }
}
