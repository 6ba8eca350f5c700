package io.adlake.deploy;

import static io.adlake.deploy.DummyDeployment.files;
import static io.adlake.deploy.DummyDeployment.read;
import static io.adlake.deploy.DummyDeployment.renderForEveryRuntime;
import static io.adlake.deploy.DummyDeployment.renderJson;
import static io.adlake.deploy.DummyDeployment.sparkConfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.adlake.cli.Main;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.ConfigLoader;
import io.adlake.deploy.DummyDeployment.AwsRuntime;
import io.adlake.deploy.DummyDeployment.Rendered;
import io.adlake.job.SparkSessions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The JSON under glue/ and emr/ as the AWS CLI reads it (--cli-input-json), after deploy.sh's
 * placeholders are filled for every Glue version and EMR release it deploys to: every file parses,
 * has the fields its operation requires and no member the CLI would reject, names the jar of the
 * runtime's Spark line, a real entry class and subcommand, and sets the same catalog the jar builds
 * from the configuration; the IAM policies grant what the jobs call, on the deployment's resources.
 */
class AwsJobDefinitionsTest {
  private static final String EXTENSIONS =
      "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions";
  private static final Pattern TWELVE_DIGITS = Pattern.compile("(?<![0-9])[0-9]{12}(?![0-9])");
  private static final Pattern REGION =
      Pattern.compile(
          "\\b(us|eu|ap|sa|ca|me|af|il|mx|cn)-(gov-)?(north|south|east|west|central)[a-z]*-[0-9]\\b");

  /**
   * The Spark line each runtime runs, from AWS's Glue migration pages and the EMR release guide
   * (docs/aws.md): the jar of another line fails there.
   */
  private static final Map<String, String> GLUE_LINES =
      linkedMap(
          "6.1", "spark4.1_2.13",
          "6.0", "spark4.1_2.13",
          "5.1", "spark3.5_2.12",
          "5.0", "spark3.5_2.12");

  private static final Map<String, String> EMR_LINES =
      linkedMap(
          "emr-spark-8.0.0", "spark4.0_2.13",
          "emr-spark-8.1.0", "spark4.1_2.13",
          "emr-7.14.0", "spark3.5_2.12",
          "emr-7.13.0", "spark3.5_2.12",
          "emr-7.12.0", "spark3.5_2.12");

  /** CreateJob's MaintenanceWindow pattern: a day and an hour, GMT. */
  private static final Pattern MAINTENANCE_WINDOW =
      Pattern.compile("^(Sun|Mon|Tue|Wed|Thu|Fri|Sat):([01]?[0-9]|2[0-3])$");

  private static final String EMR_ICEBERG_JAR =
      "/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar";

  @Test
  void runtimeTablesMapEveryVersionToTheSparkLineItRuns() {
    assertEquals(GLUE_LINES, lines("glue"), "glue/runtimes.tsv");
    assertEquals(EMR_LINES, lines("emr"), "emr/runtimes.tsv");
    // The first row is the default: the newest Glue, and the EMR Serverless release of Spark 4.0.
    assertEquals("6.1", AwsRuntime.of("glue").get(0).name());
    assertEquals("emr-spark-8.0.0", AwsRuntime.of("emr").get(0).name());
  }

  /** docs/aws.md's platform table has one row per runtime, naming the jar of its line. */
  @Test
  void platformTableOfTheDocsNamesEveryRuntimeWithItsJar() {
    List<String> rows =
        read(Path.of("docs", "aws.md"))
            .lines()
            .filter(l -> l.startsWith("| AWS Glue ") || l.startsWith("| EMR `"))
            .toList();
    List<AwsRuntime> runtimes = new ArrayList<>(AwsRuntime.of("glue"));
    runtimes.addAll(AwsRuntime.of("emr"));
    assertEquals(runtimes.size(), rows.size(), "rows of the platform table: " + rows);
    for (AwsRuntime runtime : runtimes) {
      String head =
          runtime.platform().equals("glue")
              ? "| AWS Glue " + runtime.name() + " |"
              : "| EMR `" + runtime.name() + "` |";
      String row =
          rows.stream()
              .filter(r -> r.startsWith(head))
              .findFirst()
              .orElseThrow(() -> new AssertionError("docs/aws.md has no row " + head));
      assertTrue(
          row.contains("`adlake-<version>-" + runtime.sparkLine() + ".jar`"),
          "docs/aws.md names another jar for " + runtime.name() + ": " + row);
      assertTrue(row.contains(runtime.variable() + "=" + runtime.name()), "docs/aws.md: " + row);
    }
  }

  /**
   * aws glue create-job: Name, Role and Command are required; a Spark job also needs its script and
   * size.
   */
  @Test
  void glueJobsHaveWhatCreateJobRequiresForEveryGlueVersion() {
    List<Rendered> all = renderForEveryRuntime("glue", "job-*.json");
    assertEquals(GLUE_LINES.size() * 5, all.size(), "five jobs for each Glue version");
    for (Rendered rendered : all) {
      JsonNode job = rendered.json();
      String what = rendered.toString();
      AwsCliInputs.assertAccepted(AwsCliInputs.CREATE_JOB, job, what);
      for (String field :
          List.of(
              "Name",
              "Role",
              "Command",
              "GlueVersion",
              "WorkerType",
              "NumberOfWorkers",
              "DefaultArguments",
              "ExecutionProperty",
              "MaintenanceWindow")) {
        assertTrue(job.hasNonNull(field), what + " lacks " + field);
      }
      assertEquals("gluestreaming", job.at("/Command/Name").asText(), what);
      assertTrue(job.at("/Command/ScriptLocation").asText().startsWith("s3://"), what);
      assertFalse(job.get("Command").has("PythonVersion"), what + ": PythonVersion is for Python");
      assertEquals(rendered.runtime().name(), job.get("GlueVersion").asText(), what);
      assertEquals("G.1X", job.get("WorkerType").asText(), what);
      assertEquals(1, job.at("/ExecutionProperty/MaxConcurrentRuns").asInt(), what);
      assertEquals("adlake-" + rendered.job(), job.get("Name").asText(), what);
      // Without a window Glue restarts a streaming run after 7 days at a time of its choosing.
      assertTrue(
          MAINTENANCE_WINDOW.matcher(job.get("MaintenanceWindow").asText()).matches(),
          what + ": MaintenanceWindow " + job.get("MaintenanceWindow"));
      // A streaming run with a timeout under 7 days stops at it instead.
      assertFalse(job.has("Timeout"), what + ": a streaming job runs until it is stopped");

      JsonNode args = job.get("DefaultArguments");
      assertEquals("scala", args.get("--job-language").asText(), what);
      assertEquals("iceberg", args.get("--datalake-formats").asText(), what);
      assertJarOfTheLine(args.get("--extra-jars").asText(), GLUE_LINES, rendered);
      assertFalse(
          args.has("--enable-continuous-cloudwatch-log"),
          what + ": continuous logging is a Glue 4 flag; Glue 5 and 6 log in real time");
      assertEquals("true", args.get("--enable-spark-ui").asText(), what);
      assertEquals(
          DummyDeployment.S3_ROOT + "/spark-ui-logs/adlake-" + rendered.job() + "/",
          args.get("--spark-event-logs-path").asText(),
          what);
      assertEntryClass(args.get("--class").asText(), what);
      assertSubcommand(args.get("--adlake-command").asText(), rendered);
      assertEquals(DummyDeployment.CONF_URI, args.get("--extra-files").asText(), what);
      assertTrue(
          args.get("--extra-files").asText().endsWith("/" + args.get("--env").asText()),
          what + ": --env names the configuration that --extra-files ships");
      Map<String, String> confs = sparkConfs(args.get("--conf").asText());
      assertSameCatalogAsTheJar(confs, "glue", what);
      // A streaming run writes events for days: roll the Spark UI's log instead of one growing
      // file.
      assertEquals("true", confs.get("spark.eventLog.rolling.enabled"), what);
    }
  }

  /** aws emr-serverless create-application: releaseLabel and type are required. */
  @Test
  void emrApplicationHasWhatCreateApplicationRequiresForEveryRelease() {
    List<Rendered> all = renderForEveryRuntime("emr", "application.json");
    assertEquals(EMR_LINES.size(), all.size());
    for (Rendered rendered : all) {
      JsonNode app = rendered.json();
      String what = rendered.toString();
      AwsCliInputs.assertAccepted(AwsCliInputs.CREATE_APPLICATION, app, what);
      assertEquals("SPARK", app.get("type").asText(), what);
      assertEquals(rendered.runtime().name(), app.get("releaseLabel").asText(), what);
      assertEquals("adlake", app.get("name").asText(), what);
      assertTrue(app.at("/autoStartConfiguration/enabled").asBoolean(), what);
      assertTrue(app.at("/autoStopConfiguration/enabled").asBoolean(), what);
      assertTrue(app.at("/maximumCapacity/cpu").asText().endsWith("vCPU"), what);
      // EMR_ARCHITECTURE: nothing in the job runs is tied to x86_64.
      assertEquals("X86_64", app.get("architecture").asText(), what);
    }
  }

  /**
   * aws emr-serverless start-job-run: applicationId and executionRoleArn are required (the CLI adds
   * a token).
   */
  @Test
  void emrJobRunsHaveWhatStartJobRunRequiresForEveryRelease() {
    List<Rendered> all = renderForEveryRuntime("emr", "job-*.json");
    assertEquals(EMR_LINES.size() * 5, all.size(), "five jobs for each EMR release");
    for (Rendered rendered : all) {
      JsonNode run = rendered.json();
      String what = rendered.toString();
      AwsCliInputs.assertAccepted(AwsCliInputs.START_JOB_RUN, run, what);
      for (String field :
          List.of(
              "applicationId",
              "executionRoleArn",
              "name",
              "mode",
              "jobDriver",
              "retryPolicy",
              "configurationOverrides")) {
        assertTrue(run.hasNonNull(field), what + " lacks " + field);
      }
      assertEquals("STREAMING", run.get("mode").asText(), what);
      assertEquals(
          0,
          run.get("executionTimeoutMinutes").asInt(-1),
          what + ": streaming runs never time out");
      assertTrue(run.at("/retryPolicy/maxFailedAttemptsPerHour").asInt() >= 1, what);
      assertEquals("adlake-" + rendered.job(), run.get("name").asText(), what);
      JsonNode monitoring = run.at("/configurationOverrides/monitoringConfiguration");
      assertTrue(
          monitoring.at("/s3MonitoringConfiguration/logUri").asText().startsWith("s3://"), what);
      assertTrue(monitoring.at("/cloudWatchLoggingConfiguration/enabled").asBoolean(), what);

      JsonNode submit = run.at("/jobDriver/sparkSubmit");
      assertJarOfTheLine(submit.get("entryPoint").asText(), EMR_LINES, rendered);
      List<String> arguments = new ArrayList<>();
      submit.get("entryPointArguments").forEach(a -> arguments.add(a.asText()));
      assertSubcommand(arguments.get(0), rendered);
      CommandLine.ParseResult parsed =
          new CommandLine(new Main()).parseArgs(arguments.toArray(String[]::new));
      assertEquals("emr", parsed.subcommand().matchedOptionValue("--env", ""), what);

      String parameters = submit.get("sparkSubmitParameters").asText();
      List<String> words = List.of(parameters.split("\\s+"));
      assertEntryClass(words.get(words.indexOf("--class") + 1), what);
      assertEquals(EMR_ICEBERG_JAR, words.get(words.indexOf("--jars") + 1), what);
      Map<String, String> confs = sparkConfs(parameters.substring(parameters.indexOf("--conf")));
      // Java 17 is every listed release's default JVM; a JAVA_HOME path would tie the run to one
      // architecture (an x86_64 path fails on ARM64 workers).
      assertFalse(parameters.contains("JAVA_HOME"), what + ": sets JAVA_HOME");
      // conf/emr.conf reads these from the driver's environment.
      assertEquals(
          DummyDeployment.WAREHOUSE,
          confs.get("spark.emr-serverless.driverEnv.ADLAKE_WAREHOUSE"),
          what);
      assertEquals(
          DummyDeployment.CHECKPOINTS,
          confs.get("spark.emr-serverless.driverEnv.ADLAKE_CHECKPOINT_ROOT"),
          what);
      assertEquals(
          DummyDeployment.BROKERS,
          confs.get("spark.emr-serverless.driverEnv.ADLAKE_KAFKA_BOOTSTRAP_SERVERS"),
          what);
      assertSameCatalogAsTheJar(confs, "emr", what);
    }
  }

  @Test
  void iamPoliciesAreValidAndGrantNoWildcardOnS3OrGlue() {
    for (Path file : policies()) {
      JsonNode policy = renderJson(file);
      AwsCliInputs.assertAccepted(AwsCliInputs.IAM_POLICY, policy, file.toString());
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
                    || action.startsWith("kafka")
                    || action.startsWith("kinesis:"),
                file + ": " + action + " on every resource");
          }
        }
        for (String resource : resources) {
          assertFalse(
              resource.startsWith("arn:aws:s3:::" + DummyDeployment.BUCKET + "/*"),
              file + ": the whole bucket instead of the deployment's prefix: " + resource);
          assertFalse(
              resource.matches("arn:aws:kinesis:[^:]*:[^:]*:stream/\\*.*"),
              file + ": every stream instead of the deployment's: " + resource);
        }
      }
    }
  }

  /**
   * The Kinesis source reads the five streams the configuration names with the connector's polling
   * calls, and the attributed-stream sink checks and writes its one stream: each statement grants
   * exactly those actions on exactly those streams, the same on Glue and EMR.
   */
  @Test
  void rolePoliciesGrantKinesisOnTheConfiguredStreamsOnly() {
    AdlakeConfig config = ConfigLoader.load("glue", DummyDeployment.settings());
    AdlakeConfig.StreamNames streams = config.streams();
    List<String> inputs =
        List.of(
            stream(streams.bidRequests()),
            stream(streams.bidResponses()),
            stream(streams.impressions()),
            stream(streams.clicks()),
            stream(streams.conversions()));
    String attributed = stream(config.attribution().kinesisSink().stream());
    for (String platform : List.of("glue", "emr")) {
      Map<String, JsonNode> statements = statements(Path.of(platform, "iam-policy.json"));
      assertStatement(
          statements,
          "KinesisReadTheFiveStreams",
          List.of(
              "kinesis:DescribeStreamSummary",
              "kinesis:ListShards",
              "kinesis:GetShardIterator",
              "kinesis:GetRecords"),
          inputs,
          platform);
      assertStatement(
          statements,
          "KinesisWriteTheAttributedStream",
          List.of("kinesis:DescribeStreamSummary", "kinesis:PutRecords"),
          List.of(attributed),
          platform);
      // Enhanced fan-out is optional and billed apart: its actions live in their own policy.
      for (JsonNode statement : statements.values()) {
        for (String action : strings(statement.get("Action"))) {
          assertFalse(
              Set.of(
                      "kinesis:SubscribeToShard",
                      "kinesis:RegisterStreamConsumer",
                      "kinesis:DeregisterStreamConsumer",
                      "kinesis:DescribeStreamConsumer",
                      "kinesis:ListStreamConsumers")
                  .contains(action),
              platform + "/iam-policy.json grants " + action + " without enhanced fan-out");
        }
      }

      Map<String, JsonNode> efo = statements(Path.of(platform, "iam-policy-kinesis-efo.json"));
      assertEquals(
          Set.of(
              "KinesisEnhancedFanOutConsumersOfTheFiveStreams", "KinesisEnhancedFanOutSubscribe"),
          efo.keySet(),
          platform);
      assertStatement(
          efo,
          "KinesisEnhancedFanOutConsumersOfTheFiveStreams",
          List.of(
              "kinesis:ListStreamConsumers",
              "kinesis:RegisterStreamConsumer",
              "kinesis:DeregisterStreamConsumer"),
          inputs,
          platform);
      assertStatement(
          efo,
          "KinesisEnhancedFanOutSubscribe",
          List.of("kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"),
          inputs.stream().map(arn -> arn + "/consumer/*").toList(),
          platform);
    }
    assertEquals(
        read(Path.of("glue", "iam-policy-kinesis-efo.json")),
        read(Path.of("emr", "iam-policy-kinesis-efo.json")),
        "the enhanced fan-out policy is the same on both platforms");
  }

  /** Glue writes the Spark UI's event logs with the job's role, under their own prefix. */
  @Test
  void glueRoleMayWriteTheSparkUiEventLogsAndNothingBeside() {
    Map<String, JsonNode> statements = statements(Path.of("glue", "iam-policy.json"));
    assertStatement(
        statements,
        "SparkUiEventLogs",
        List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
        List.of("arn:aws:s3:::" + DummyDeployment.BUCKET + "/adlake/spark-ui-logs/*"),
        "glue");
    for (Rendered rendered : renderForEveryRuntime("glue", "job-*.json")) {
      String path = rendered.json().at("/DefaultArguments/--spark-event-logs-path").asText();
      assertTrue(
          path.startsWith(DummyDeployment.S3_ROOT + "/spark-ui-logs/"),
          rendered + ": event logs outside the granted prefix: " + path);
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

  private static void assertJarOfTheLine(String uri, Map<String, String> lines, Rendered rendered) {
    String line = lines.get(rendered.runtime().name());
    assertTrue(
        uri.startsWith(DummyDeployment.S3_ROOT + "/artifacts/jars/")
            && uri.endsWith("-" + line + ".jar"),
        rendered + " runs " + uri + ", not the jar of " + line);
    assertEquals(rendered.runtime().jarUri(), uri, rendered.toString());
  }

  private static void assertStatement(
      Map<String, JsonNode> statements,
      String sid,
      List<String> actions,
      List<String> resources,
      String platform) {
    JsonNode statement = statements.get(sid);
    assertTrue(
        statement != null, platform + ": no statement " + sid + " in " + statements.keySet());
    assertEquals(actions, strings(statement.get("Action")), platform + " " + sid);
    assertEquals(resources, strings(statement.get("Resource")), platform + " " + sid);
    assertFalse(statement.has("Condition"), platform + " " + sid);
  }

  /** A policy's statements by Sid, rendered for the dummy deployment. */
  private static Map<String, JsonNode> statements(Path policy) {
    Map<String, JsonNode> bySid = new LinkedHashMap<>();
    for (JsonNode statement : renderJson(policy).get("Statement")) {
      JsonNode previous = bySid.put(statement.get("Sid").asText(), statement);
      assertTrue(previous == null, policy + ": two statements " + statement.get("Sid"));
    }
    return bySid;
  }

  private static String stream(String name) {
    return "arn:aws:kinesis:xx-test-1:000000000000:stream/" + name;
  }

  private static List<Path> policies() {
    List<Path> policies = new ArrayList<>(files("glue", "iam-*.json"));
    policies.addAll(files("emr", "iam-*.json"));
    return policies;
  }

  private static Map<String, String> lines(String platform) {
    return AwsRuntime.of(platform).stream()
        .collect(
            Collectors.toMap(
                AwsRuntime::name, AwsRuntime::sparkLine, (a, b) -> a, LinkedHashMap::new));
  }

  private static Map<String, String> linkedMap(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  /**
   * The Spark settings read at JVM start equal what SparkSessions sets from the environment's
   * configuration.
   */
  private static void assertSameCatalogAsTheJar(
      Map<String, String> confs, String environment, String what) {
    assertEquals(EXTENSIONS, confs.get("spark.sql.extensions"), what);
    Map<String, String> jar =
        new TreeMap<>(
            SparkSessions.catalogProperties(
                ConfigLoader.load(environment, DummyDeployment.settings()).catalog()));
    jar.keySet()
        .removeIf(key -> key.endsWith(".client.region")); // only when AWS_REGION is set here
    Map<String, String> given = new TreeMap<>(confs);
    given.keySet().removeIf(key -> !key.startsWith("spark.sql.catalog."));
    assertEquals(jar, given, what + ": catalog settings differ from the jar's");
  }

  private static void assertEntryClass(String name, String what) {
    try {
      Method main = Class.forName(name).getMethod("main", String[].class);
      assertTrue(
          Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()),
          what + ": " + name + ".main is not public static");
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw new AssertionError(what + ": no class " + name + " with main(String[])", e);
    }
  }

  private static void assertSubcommand(String command, Rendered rendered) {
    Set<String> commands = new CommandLine(new Main()).getSubcommands().keySet();
    assertTrue(commands.contains(command), rendered + ": '" + command + "' is none of " + commands);
    assertEquals(rendered.job(), command, rendered + " runs another job than its name says");
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
