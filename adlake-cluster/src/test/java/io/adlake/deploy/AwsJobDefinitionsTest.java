package io.adlake.deploy;

import static io.adlake.deploy.DummyDeployment.files;
import static io.adlake.deploy.DummyDeployment.read;
import static io.adlake.deploy.DummyDeployment.renderJson;
import static io.adlake.deploy.DummyDeployment.sparkConfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.adlake.cli.Main;
import io.adlake.config.ConfigLoader;
import io.adlake.job.SparkSessions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The JSON under glue/ and emr/ as the AWS CLI reads it (--cli-input-json), after deploy.sh's
 * placeholders are filled: every file parses and has the fields its operation requires, names a
 * real entry class and subcommand, and sets the same catalog the jar builds from the configuration.
 */
class AwsJobDefinitionsTest {
  private static final String EXTENSIONS =
      "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions";
  private static final Pattern TWELVE_DIGITS = Pattern.compile("(?<![0-9])[0-9]{12}(?![0-9])");
  private static final Pattern REGION =
      Pattern.compile(
          "\\b(us|eu|ap|sa|ca|me|af|il|mx|cn)-(gov-)?(north|south|east|west|central)[a-z]*-[0-9]\\b");

  /**
   * aws glue create-job: Name, Role and Command are required; a Spark job also needs its script and
   * size.
   */
  @Test
  void glueJobsHaveWhatCreateJobRequires() {
    for (Path file : files("glue", "job-*.json")) {
      JsonNode job = renderJson(file);
      for (String field :
          List.of(
              "Name",
              "Role",
              "Command",
              "GlueVersion",
              "WorkerType",
              "NumberOfWorkers",
              "DefaultArguments",
              "ExecutionProperty")) {
        assertTrue(job.hasNonNull(field), file + " lacks " + field);
      }
      assertEquals("gluestreaming", job.at("/Command/Name").asText(), file.toString());
      assertTrue(
          job.at("/Command/ScriptLocation").asText().startsWith("s3://"),
          file + ": ScriptLocation");
      assertFalse(
          job.get("Command").has("PythonVersion"), file + ": PythonVersion is for Python jobs");
      assertEquals("5.0", job.get("GlueVersion").asText(), file.toString());
      assertEquals(1, job.at("/ExecutionProperty/MaxConcurrentRuns").asInt(), file.toString());
      assertEquals("adlake-" + jobOf(file), job.get("Name").asText(), file.toString());

      JsonNode args = job.get("DefaultArguments");
      assertEquals("scala", args.get("--job-language").asText(), file.toString());
      assertEquals("iceberg", args.get("--datalake-formats").asText(), file.toString());
      assertEquals(
          "true", args.get("--enable-continuous-cloudwatch-log").asText(), file.toString());
      assertEquals(DummyDeployment.JAR_URI, args.get("--extra-jars").asText(), file.toString());
      assertEntryClass(args.get("--class").asText(), file);
      assertSubcommand(args.get("--adlake-command").asText(), file);
      assertTrue(
          args.get("--extra-files").asText().endsWith("/" + args.get("--env").asText()),
          file + ": --env names the configuration that --extra-files ships");
      assertSameCatalogAsTheJar(sparkConfs(args.get("--conf").asText()), file);
    }
  }

  /** aws emr-serverless create-application: releaseLabel and type are required. */
  @Test
  void emrApplicationHasWhatCreateApplicationRequires() {
    JsonNode app = renderJson(Path.of("emr", "application.json"));
    assertEquals("SPARK", app.get("type").asText());
    // Spark 3.5 and Java 17, and the first release that ships Iceberg 1.10.
    assertEquals("emr-7.12.0", app.get("releaseLabel").asText());
    assertEquals("adlake", app.get("name").asText());
    assertTrue(app.at("/autoStartConfiguration/enabled").asBoolean());
    assertTrue(app.at("/autoStopConfiguration/enabled").asBoolean());
    assertTrue(app.at("/maximumCapacity/cpu").asText().endsWith("vCPU"));
    // The JAVA_HOME of the job runs is the x86_64 Corretto 17.
    assertEquals("X86_64", app.get("architecture").asText());
  }

  /**
   * aws emr-serverless start-job-run: applicationId and executionRoleArn are required (the CLI adds
   * a token).
   */
  @Test
  void emrJobRunsHaveWhatStartJobRunRequires() {
    for (Path file : files("emr", "job-*.json")) {
      JsonNode run = renderJson(file);
      for (String field :
          List.of(
              "applicationId",
              "executionRoleArn",
              "name",
              "mode",
              "jobDriver",
              "retryPolicy",
              "configurationOverrides")) {
        assertTrue(run.hasNonNull(field), file + " lacks " + field);
      }
      assertEquals("STREAMING", run.get("mode").asText(), file.toString());
      assertEquals(
          0,
          run.get("executionTimeoutMinutes").asInt(-1),
          file + ": streaming runs have no timeout");
      assertTrue(run.at("/retryPolicy/maxFailedAttemptsPerHour").asInt() >= 1, file.toString());
      assertEquals("adlake-" + jobOf(file), run.get("name").asText(), file.toString());
      JsonNode monitoring = run.at("/configurationOverrides/monitoringConfiguration");
      assertTrue(
          monitoring.at("/s3MonitoringConfiguration/logUri").asText().startsWith("s3://"),
          file.toString());
      assertTrue(
          monitoring.at("/cloudWatchLoggingConfiguration/enabled").asBoolean(), file.toString());

      JsonNode submit = run.at("/jobDriver/sparkSubmit");
      assertEquals(DummyDeployment.JAR_URI, submit.get("entryPoint").asText(), file.toString());
      List<String> arguments = new ArrayList<>();
      submit.get("entryPointArguments").forEach(a -> arguments.add(a.asText()));
      assertSubcommand(arguments.get(0), file);
      CommandLine.ParseResult parsed =
          new CommandLine(new Main()).parseArgs(arguments.toArray(String[]::new));
      assertEquals("emr", parsed.subcommand().matchedOptionValue("--env", ""), file.toString());

      String parameters = submit.get("sparkSubmitParameters").asText();
      List<String> words = List.of(parameters.split("\\s+"));
      assertEntryClass(words.get(words.indexOf("--class") + 1), file);
      assertEquals(
          "/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar",
          words.get(words.indexOf("--jars") + 1));
      Map<String, String> confs = sparkConfs(parameters.substring(parameters.indexOf("--conf")));
      String java17 = "/usr/lib/jvm/java-17-amazon-corretto.x86_64/";
      assertEquals(java17, confs.get("spark.emr-serverless.driverEnv.JAVA_HOME"), file.toString());
      assertEquals(java17, confs.get("spark.executorEnv.JAVA_HOME"), file.toString());
      // conf/emr.conf reads these from the driver's environment.
      assertEquals(
          DummyDeployment.WAREHOUSE, confs.get("spark.emr-serverless.driverEnv.ADLAKE_WAREHOUSE"));
      assertEquals(
          DummyDeployment.CHECKPOINTS,
          confs.get("spark.emr-serverless.driverEnv.ADLAKE_CHECKPOINT_ROOT"));
      assertEquals(
          DummyDeployment.BROKERS,
          confs.get("spark.emr-serverless.driverEnv.ADLAKE_KAFKA_BOOTSTRAP_SERVERS"));
      assertSameCatalogAsTheJar(confs, file);
    }
  }

  @Test
  void iamPoliciesAreValidAndGrantNoWildcardOnS3OrGlue() {
    List<Path> policies = new ArrayList<>(files("glue", "iam-*.json"));
    policies.addAll(files("emr", "iam-*.json"));
    for (Path file : policies) {
      JsonNode policy = renderJson(file);
      assertEquals("2012-10-17", policy.get("Version").asText(), file.toString());
      assertTrue(
          policy.get("Statement").isArray() && policy.get("Statement").size() > 0, file.toString());
      for (JsonNode statement : policy.get("Statement")) {
        assertEquals("Allow", statement.get("Effect").asText(), file.toString());
        List<String> actions = strings(statement.get("Action"));
        assertFalse(actions.isEmpty(), file + ": a statement without Action");
        for (String action : actions) {
          assertFalse(
              action.equals("*") || action.endsWith(":*"), file + ": wildcard action " + action);
        }
        if (file.getFileName().toString().equals("iam-trust.json")) {
          assertEquals(List.of("sts:AssumeRole"), actions, file.toString());
          continue;
        }
        List<String> resources = strings(statement.get("Resource"));
        assertFalse(resources.isEmpty(), file + ": a statement without Resource");
        if (resources.contains("*")) {
          for (String action : actions) {
            assertFalse(
                action.startsWith("s3:")
                    || action.startsWith("glue:")
                    || action.startsWith("kafka"),
                file + ": " + action + " on every resource");
          }
        }
        for (String resource : resources) {
          assertFalse(
              resource.startsWith("arn:aws:s3:::" + DummyDeployment.BUCKET + "/*"),
              file + ": the whole bucket instead of the deployment's prefix: " + resource);
        }
      }
    }
  }

  /**
   * Deploy variables fill these in; a literal would tie the repository to one account or region.
   */
  @Test
  void noAccountIdOrRegionIsWrittenIntoTheDeployFiles() {
    List<Path> all = new ArrayList<>();
    for (String dir : List.of("glue", "emr")) {
      all.addAll(files(dir, "*"));
    }
    all.addAll(
        List.of(
            Path.of("conf", "glue.conf"),
            Path.of("conf", "emr.conf"),
            Path.of("bin", "aws-deploy-lib.sh")));
    for (Path file : all) {
      String text = read(file);
      for (Pattern literal : List.of(TWELVE_DIGITS, REGION)) {
        Matcher m = literal.matcher(text);
        if (m.find()) {
          fail(file + " hard-codes '" + m.group() + "' (an account id or a region)");
        }
      }
    }
  }

  /**
   * The Spark settings read at JVM start equal what SparkSessions sets from the environment's
   * configuration.
   */
  private static void assertSameCatalogAsTheJar(Map<String, String> confs, Path file) {
    assertEquals(EXTENSIONS, confs.get("spark.sql.extensions"), file.toString());
    Map<String, String> jar =
        new TreeMap<>(
            SparkSessions.catalogProperties(
                ConfigLoader.load(
                        file.startsWith("glue") ? "glue" : "emr", DummyDeployment.settings())
                    .catalog()));
    jar.keySet()
        .removeIf(key -> key.endsWith(".client.region")); // only when AWS_REGION is set here
    Map<String, String> given = new TreeMap<>(confs);
    given.keySet().removeIf(key -> !key.startsWith("spark.sql.catalog."));
    assertEquals(jar, given, file + ": catalog settings differ from the jar's");
  }

  private static void assertEntryClass(String name, Path file) {
    try {
      Method main = Class.forName(name).getMethod("main", String[].class);
      assertTrue(
          Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()),
          file + ": " + name + ".main is not public static");
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw new AssertionError(file + ": no class " + name + " with main(String[])", e);
    }
  }

  private static void assertSubcommand(String command, Path file) {
    Set<String> commands = new CommandLine(new Main()).getSubcommands().keySet();
    assertTrue(commands.contains(command), file + ": '" + command + "' is none of " + commands);
    assertEquals(jobOf(file), command, file + " runs another job than its name says");
  }

  /** glue/job-ingest.json → ingest. */
  private static String jobOf(Path file) {
    String name = file.getFileName().toString();
    return name.substring("job-".length(), name.length() - ".json".length());
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else {
      out.add(node.asText());
    }
    return out;
  }
}
