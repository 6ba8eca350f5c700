package io.adlake.avro;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The Confluent Schema Registry REST API, the part adlake needs, spoken directly over HTTP
 * (Confluent's own client is not on Maven Central). Works against Confluent Schema Registry,
 * Apicurio Registry's {@code /apis/ccompat/v7} and Karapace. Every failure names the registry URL,
 * the setting it came from, and what to do.
 */
public final class SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;
  private final String setting;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param url the registry's base URL, e.g. {@code http://127.0.0.1:8081} or Apicurio's {@code
   *     http://host:8080/apis/ccompat/v7}
   * @param setting where the URL came from, named in error messages
   */
  public SchemaRegistryClient(String url, String setting, Duration timeout) {
    requireNonNull(url, "url");
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new IllegalArgumentException(
          setting + " must be an http(s) URL of a schema registry, got '" + url + "'");
    }
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.setting = requireNonNull(setting, "setting");
    this.timeout = requireNonNull(timeout, "timeout");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public String url() {
    return url;
  }

  /**
   * Sets the subject's compatibility level (BACKWARD, FORWARD, FULL, NONE, and their _TRANSITIVE
   * forms).
   */
  public void setCompatibility(String subject, String level) {
    Response r = send("PUT", "/config/" + encode(subject), Map.of("compatibility", level));
    if (r.status() != 200) {
      throw r.failure(
          "setting compatibility " + level + " on subject " + subject,
          "Use one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE.");
    }
  }

  /**
   * Registers {@code schema} under {@code subject} (or finds it registered) and returns its id. An
   * incompatible schema fails with the registry's reason.
   */
  public int register(String subject, Schema schema) {
    Response r =
        send(
            "POST",
            "/subjects/" + encode(subject) + "/versions",
            Map.of("schemaType", "AVRO", "schema", schema.toString()));
    if (r.status() == 409) {
      throw new SchemaRegistryException(
          "The schema registry at "
              + url
              + " refused the new schema of subject "
              + subject
              + " as incompatible with its registered versions: "
              + r.message()
              + ". Make the change "
              + "compatible (under BACKWARD: add fields only with a default, remove fields, never change a type), "
              + "or register it under a new subject (a new topic).");
    }
    if (r.status() != 200) {
      throw r.failure(
          "registering a schema under subject " + subject,
          "Check the schema and the registry's log.");
    }
    return r.body().path("id").asInt();
  }

  /** The schema registered with {@code id}, or empty when the registry knows no such id. */
  public Optional<Schema> schema(int id) {
    Response r = send("GET", "/schemas/ids/" + id, null);
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (r.status() != 200) {
      throw r.failure("fetching schema id " + id, "Check the registry's log.");
    }
    return Optional.of(new Schema.Parser().parse(r.body().path("schema").asText()));
  }

  /** The registered subjects; also the cheapest "does it answer" call. */
  public List<String> subjects() {
    Response r = send("GET", "/subjects", null);
    if (r.status() != 200) {
      throw r.failure("listing subjects", "Check the registry's log.");
    }
    List<String> subjects = new ArrayList<>();
    r.body().forEach(s -> subjects.add(s.asText()));
    return subjects;
  }

  /** Fails unless {@code subject} has at least one registered version. */
  public void requireSubject(String subject, String topic) {
    Response r = send("GET", "/subjects/" + encode(subject) + "/versions", null);
    if (r.status() == 404) {
      throw new SchemaRegistryException(
          "Subject "
              + subject
              + " is not registered in the schema registry at "
              + url
              + " ("
              + setting
              + "): no producer has registered a schema for topic "
              + topic
              + " yet. Produce to it "
              + "with `generate --format avro --schema-registry "
              + url
              + "`, or register the schema from "
              + "schemas/avro/, then start again.");
    }
    if (r.status() != 200) {
      throw r.failure("listing the versions of subject " + subject, "Check the registry's log.");
    }
  }

  private record Response(String url, String setting, int status, JsonNode body) {
    String message() {
      return body.path("message").asText(body.toString());
    }

    SchemaRegistryException failure(String doing, String advice) {
      return new SchemaRegistryException(
          "The schema registry at "
              + url
              + " ("
              + setting
              + ") answered HTTP "
              + status
              + " when "
              + doing
              + ": "
              + message()
              + ". "
              + advice);
    }
  }

  private Response send(String method, String path, Object body) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(url + path))
              .timeout(timeout)
              .header("Accept", CONTENT_TYPE);
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", CONTENT_TYPE)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      }
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json;
      try {
        json =
            response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
      } catch (IOException notJson) {
        throw new SchemaRegistryException(
            "What answers at "
                + url
                + " ("
                + setting
                + ") is not a Confluent-"
                + "compatible schema registry: "
                + method
                + " "
                + path
                + " gave HTTP "
                + response.statusCode()
                + " and no JSON. For Apicurio Registry the URL ends in /apis/ccompat/v7.");
      }
      return new Response(url, setting, response.statusCode(), json);
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "No schema registry answers at "
              + url
              + " ("
              + setting
              + "): "
              + e
              + ". Start the registry or set "
              + setting
              + " to where it runs.",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(
          "Interrupted while calling the schema registry at " + url, e);
    }
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
