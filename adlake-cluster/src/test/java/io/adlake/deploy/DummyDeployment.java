package io.adlake.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One made-up deployment: the values deploy.sh would fill into the ${VARIABLE} placeholders of
 * glue/ and emr/, and the same values as the settings the jobs would load. Nothing here names a
 * real account or region.
 */
public final class DummyDeployment {
  static final String BUCKET = "dummy-lake-bucket";
  static final String S3_ROOT = "s3://" + BUCKET + "/adlake";
  static final String WAREHOUSE = S3_ROOT + "/warehouse";
  static final String CHECKPOINTS = S3_ROOT + "/checkpoints";
  static final String BROKERS = "b-1.dummy.kafka.example:9094,b-2.dummy.kafka.example:9094";
  static final String CONF_URI = S3_ROOT + "/artifacts/conf/0123456789abcdef/adlake-glue.conf";
  static final String MAINTENANCE_WINDOW = "Sun:03";

  /** Environment variables of deploy.sh and the values a test gives them, for every runtime. */
  static final Map<String, String> VARIABLES = variables();

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private DummyDeployment() {}

  /**
   * A row of glue/runtimes.tsv or emr/runtimes.tsv: a Glue version or an EMR release label, and the
   * Spark line of the jar it runs.
   */
  public record AwsRuntime(String platform, String name, String sparkLine) {
    /**
     * The runtimes deploy.sh accepts on a platform, in the table's order (the first the default).
     */
    static List<AwsRuntime> of(String platform) {
      List<AwsRuntime> runtimes = new ArrayList<>();
      for (String line : read(Path.of(platform, "runtimes.tsv")).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] columns = line.split("\t");
        assertTrue(columns.length == 2, platform + "/runtimes.tsv: not 'name<TAB>line': " + line);
        runtimes.add(new AwsRuntime(platform, columns[0], columns[1]));
      }
      return runtimes;
    }

    /** The variable of deploy.sh that names this runtime. */
    String variable() {
      return platform.equals("glue") ? "GLUE_VERSION" : "EMR_RELEASE";
    }

    /** The jar built for this runtime's line, as make build names it. */
    String jarName() {
      return "adlake-0.1.0-" + sparkLine + ".jar";
    }

    /** Where deploy.sh would upload that jar (the hash stands in for the jar's SHA-256). */
    String jarUri() {
      return S3_ROOT + "/artifacts/jars/0123456789abcdef/" + jarName();
    }
  }

  /** A template rendered for one runtime. */
  public record Rendered(AwsRuntime runtime, Path template, JsonNode json) {
    /** glue/job-ingest.json → ingest. */
    public String job() {
      String name = template.getFileName().toString();
      return name.substring("job-".length(), name.length() - ".json".length());
    }

    @Override
    public String toString() {
      return template + " for " + runtime.variable() + "=" + runtime.name();
    }
  }

  /** Every template of a platform that matches the glob, rendered for each of its runtimes. */
  public static List<Rendered> renderForEveryRuntime(String platform, String glob) {
    List<Rendered> rendered = new ArrayList<>();
    for (AwsRuntime runtime : AwsRuntime.of(platform)) {
      for (Path template : files(platform, glob)) {
        rendered.add(
            new Rendered(
                runtime,
                template,
                parse(render(template, variables(runtime)), template + " for " + runtime)));
      }
    }
    return rendered;
  }

  private static Map<String, String> variables() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("AWS_REGION", "xx-test-1");
    v.put("AWS_ACCOUNT_ID", "000000000000");
    v.put("ADLAKE_NAME", "adlake");
    v.put("ADLAKE_BUCKET", BUCKET);
    v.put("ADLAKE_PREFIX", "adlake");
    v.put("ADLAKE_NAMESPACE", "adlake");
    v.put("ADLAKE_KAFKA_BOOTSTRAP_SERVERS", BROKERS);
    v.put("MSK_CLUSTER_NAME", "dummy-msk");
    v.put("GLUE_ROLE_ARN", "arn:aws:iam::000000000000:role/adlake-glue");
    v.put("GLUE_CONNECTION_NAME", "dummy-msk-vpc");
    v.put("EMR_JOB_ROLE_ARN", "arn:aws:iam::000000000000:role/adlake-emr");
    v.put("EMR_APPLICATION_ID", "00dummyapplication");
    return Map.copyOf(v);
  }

  /**
   * The variables deploy.sh fills for a runtime: the common ones, the runtime's name and its jar,
   * and the values deploy.sh derives.
   */
  static Map<String, String> variables(AwsRuntime runtime) {
    Map<String, String> v = new LinkedHashMap<>(VARIABLES);
    v.put(runtime.variable(), runtime.name());
    v.put("ADLAKE_JAR_URI", runtime.jarUri());
    v.put("ADLAKE_CONF_URI", CONF_URI);
    v.put("GLUE_MAINTENANCE_WINDOW", MAINTENANCE_WINDOW);
    v.put("EMR_ARCHITECTURE", "X86_64");
    return v;
  }

  /**
   * The overrides that stand in for the environment variables conf/glue.conf and conf/emr.conf
   * require.
   */
  static List<String> settings() {
    return List.of(
        "adlake.catalog.warehouse=" + WAREHOUSE,
        "adlake.streaming.checkpoint-root=" + CHECKPOINTS,
        "adlake.source.kafka.bootstrap-servers=" + BROKERS);
  }

  /**
   * A template with every placeholder filled; a placeholder deploy.sh does not know fails the test.
   */
  static String render(Path template, Map<String, String> variables) {
    Matcher m = PLACEHOLDER.matcher(read(template));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) {
        fail(template + " has placeholder ${" + m.group(1) + "}, which no deploy variable fills");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A template that does not depend on the runtime (IAM), rendered. */
  static JsonNode renderJson(Path template) {
    AwsRuntime any = AwsRuntime.of(template.getName(0).toString()).get(0);
    return parse(render(template, variables(any)), template.toString());
  }

  static JsonNode parse(String json, String what) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(what + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The files of a directory whose names match, sorted; at least one. */
  static List<Path> files(String dir, String glob) {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> list = Files.list(Path.of(dir))) {
      list.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName()))
          .sorted()
          .forEach(found::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(!found.isEmpty(), "no " + dir + "/" + glob);
    return found;
  }

  /**
   * {@code --conf k=v} pairs of a spark-submit argument string (Glue's --conf value starts without
   * one).
   */
  static Map<String, String> sparkConfs(String arguments) {
    Map<String, String> confs = new LinkedHashMap<>();
    String[] words = arguments.trim().split("\\s+");
    for (int i = 0; i < words.length; i++) {
      boolean value =
          i == 0 && !words[0].startsWith("--") || i > 0 && words[i - 1].equals("--conf");
      if (value) {
        int eq = words[i].indexOf('=');
        assertTrue(eq > 0, "not key=value: " + words[i] + " in " + arguments);
        confs.put(words[i].substring(0, eq), words[i].substring(eq + 1));
      }
    }
    return confs;
  }
}
