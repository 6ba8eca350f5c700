package io.adlake.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * glue/deploy.sh and emr/deploy.sh under a fake {@code aws} placed first on PATH, which records its
 * arguments and answers like the real one would for a fresh account. No command leaves this
 * machine.
 */
class DeployScriptsTest {
  private static final List<String> SCRIPTS =
      List.of("glue/deploy.sh", "emr/deploy.sh", "bin/aws-deploy-lib.sh");

  /**
   * Fails when called in dry-run mode; otherwise answers: no job, no application, no active run.
   */
  private static final String FAKE_AWS =
      """
      #!/usr/bin/env bash
      printf '%s\\n' "$*" >>"$FAKE_AWS_CALLS"
      if [[ $FAKE_AWS_MODE == dry-run ]]; then echo "fake aws: called during a dry run" >&2; exit 97; fi
      case "$1 $2" in
        "glue get-job") echo "EntityNotFoundException" >&2; exit 254 ;;
        "glue get-job-runs" | "emr-serverless list-applications" | "emr-serverless list-job-runs") echo None ;;
        "glue start-job-run") echo jr_0001 ;;
        "emr-serverless create-application") echo 00fakeapplication ;;
        "emr-serverless start-job-run") echo 00fakejobrun ;;
      esac
      """;

  @TempDir Path dir;

  @Test
  void scriptsAreValidBash() throws Exception {
    for (String script : SCRIPTS) {
      Result r = run(List.of("bash", "-n", script), Map.of());
      assertEquals(0, r.code, script + ": " + r.stderr);
    }
  }

  @Test
  void glueDryRunPrintsEveryCommandAndCallsNoAws() throws Exception {
    Result r = dryRun("glue/deploy.sh");
    Path out = dir.resolve("out/glue");
    for (String job : List.of("ingest", "attribute", "aggregate")) {
      assertTrue(
          r.stdout.contains(
              "aws glue create-job --cli-input-json file://" + out.resolve("job-" + job + ".json")),
          r.stdout);
      assertTrue(
          r.stdout.contains(
              "aws glue update-job --job-name adlake-" + job + " --job-update file://"),
          r.stdout);
      assertTrue(r.stdout.contains("aws glue start-job-run --job-name adlake-" + job), r.stdout);
      JsonNode created = rendered(out.resolve("job-" + job + ".json"));
      assertEquals("adlake-" + job, created.get("Name").asText());
      JsonNode update = rendered(out.resolve("job-" + job + ".update.json"));
      assertFalse(update.has("Name"), "UpdateJob's JobUpdate has no Name");
      ObjectNode withoutName = created.deepCopy();
      withoutName.remove("Name");
      assertEquals(withoutName, update);
    }
    assertFalse(r.stdout.contains("adlake-run"), "run is deployed only when asked for");
    rendered(out.resolve("iam-policy.json"));

    // The configuration Glue ships with --extra-files loads with no environment variable at all.
    AdlakeConfig shipped = ConfigLoader.load(out.resolve("adlake-glue.conf").toString(), List.of());
    assertEquals(DummyDeployment.WAREHOUSE, shipped.catalog().warehouse());
    assertEquals(DummyDeployment.CHECKPOINTS, shipped.streaming().checkpointRoot());
    assertEquals(DummyDeployment.BROKERS, shipped.source().kafka().bootstrapServers());
    assertEquals("xx-test-1", shipped.catalog().properties().get("client.region"));
  }

  @Test
  void emrDryRunPrintsEveryCommandAndCallsNoAws() throws Exception {
    Result r = dryRun("emr/deploy.sh", "--jobs", "run");
    Path out = dir.resolve("out/emr");
    assertTrue(
        r.stdout.contains(
            "aws emr-serverless create-application --cli-input-json file://"
                + out.resolve("application.json")
                + " --network-configuration"),
        r.stdout);
    assertTrue(
        r.stdout.contains(
            "aws emr-serverless start-job-run --cli-input-json file://"
                + out.resolve("job-run.json")),
        r.stdout);
    assertTrue(r.stdout.contains("adlake-run"), r.stdout);
    assertFalse(Files.exists(out.resolve("job-ingest.json")), "only the job asked for");
    JsonNode run = rendered(out.resolve("job-run.json"));
    assertEquals(DummyDeployment.JAR_URI, run.at("/jobDriver/sparkSubmit/entryPoint").asText());
    assertEquals("adlake-run", run.get("name").asText());
    rendered(out.resolve("application.json"));
    rendered(out.resolve("iam-policy.json"));
  }

  @Test
  void glueDeployCreatesTheMissingJobsAndStartsOneRunEach() throws Exception {
    Result r = deploy("glue/deploy.sh", "answer");
    assertEquals(0, r.code, r.stderr);
    List<String> calls = Files.readAllLines(calls());
    assertEquals(
        "s3 cp "
            + dir.resolve("adlake-0.1.0.jar")
            + " "
            + DummyDeployment.JAR_URI
            + " --region xx-test-1",
        calls.get(0));
    for (String job : List.of("ingest", "attribute", "aggregate")) {
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
        3, calls.stream().filter(c -> c.startsWith("emr-serverless start-job-run")).count());
    JsonNode ingest = rendered(dir.resolve("out/emr/job-ingest.json"));
    assertEquals(
        "00fakeapplication", ingest.get("applicationId").asText(), "the application just created");
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

  /**
   * A dry run that succeeds, calls no aws, fills every placeholder and uploads the jar to its S3
   * URI.
   */
  private Result dryRun(String script, String... arguments) throws Exception {
    List<String> all = new ArrayList<>(List.of("--dry-run"));
    all.addAll(List.of(arguments));
    Result r = deploy(script, "dry-run", all.toArray(String[]::new));
    assertEquals(0, r.code, r.stderr);
    assertFalse(Files.exists(calls()), "aws was called in a dry run: " + read(calls()));
    assertFalse(r.stdout.contains("${"), r.stdout);
    assertTrue(
        r.stdout.contains(
            "aws s3 cp " + dir.resolve("adlake-0.1.0.jar") + " " + DummyDeployment.JAR_URI),
        r.stdout);
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
    Path jar = dir.resolve("adlake-0.1.0.jar");
    if (!Files.exists(jar)) {
      Files.writeString(jar, "not a jar: deploy.sh only uploads it");
    }
    Map<String, String> env = new HashMap<>(DummyDeployment.VARIABLES);
    env.remove("ADLAKE_JAR_URI"); // derived by the script from bucket, prefix and jar
    env.remove("EMR_APPLICATION_ID"); // found or created by the script
    env.put("EMR_SUBNET_IDS", "subnet-aaa,subnet-bbb");
    env.put("EMR_SECURITY_GROUP_IDS", "sg-ccc");
    env.put("ADLAKE_JAR", jar.toString());
    env.put("ADLAKE_OUT", dir.resolve("out").toString());
    env.put("FAKE_AWS_CALLS", calls().toString());
    env.put("FAKE_AWS_MODE", fakeAwsMode);
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    return env;
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
