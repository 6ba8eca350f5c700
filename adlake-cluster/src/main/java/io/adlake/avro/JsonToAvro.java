package io.adlake.avro;

import com.fasterxml.jackson.databind.JsonNode;
import io.adlake.event.EventSchemas;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * An event in its JSON form → the Avro datum of a schema: how the generator, which builds events as
 * JSON, writes Avro. Fields the schema lacks are left out (a producer on an older schema does not
 * know them); a value the schema cannot hold is refused.
 */
final class JsonToAvro {
  private JsonToAvro() {}

  /**
   * @throws IllegalArgumentException when {@code json} does not fit {@code schema}
   */
  static Object datum(JsonNode json, Schema schema) {
    return switch (schema.getType()) {
      case UNION ->
          json == null || json.isNull() ? null : datum(json, EventSchemas.nonNull(schema));
      case RECORD -> record(json, schema);
      case ARRAY -> array(json, schema);
      case STRING -> require(json, json != null && json.isTextual(), schema).asText();
      case INT ->
          require(json, json != null && json.canConvertToInt() && json.isIntegralNumber(), schema)
              .intValue();
      case LONG ->
          EventSchemas.isTimestamp(schema)
              ? epochMillis(json, schema)
              : require(
                      json,
                      json != null && json.isIntegralNumber() && json.canConvertToLong(),
                      schema)
                  .longValue();
      case DOUBLE -> require(json, json != null && json.isNumber(), schema).doubleValue();
      case FLOAT -> require(json, json != null && json.isNumber(), schema).floatValue();
      case BOOLEAN -> require(json, json != null && json.isBoolean(), schema).booleanValue();
      default ->
          throw new IllegalArgumentException(
              "Avro type " + schema.getType() + " is not used in events");
    };
  }

  private static GenericData.Record record(JsonNode json, Schema schema) {
    require(json, json != null && json.isObject(), schema);
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      JsonNode value = json.get(field.name());
      if ((value == null || value.isNull()) && field.hasDefaultValue()) {
        record.put(field.pos(), GenericData.get().getDefaultValue(field));
      } else {
        record.put(field.pos(), datum(value, field.schema()));
      }
    }
    return record;
  }

  private static List<Object> array(JsonNode json, Schema schema) {
    require(json, json != null && json.isArray(), schema);
    List<Object> items = new ArrayList<>(json.size());
    json.forEach(item -> items.add(datum(item, schema.getElementType())));
    return new GenericData.Array<>(schema, items);
  }

  private static long epochMillis(JsonNode json, Schema schema) {
    require(json, json != null && json.isTextual(), schema);
    try {
      return Instant.parse(json.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + json.asText() + "' is not an ISO-8601 instant", e);
    }
  }

  private static JsonNode require(JsonNode json, boolean fits, Schema schema) {
    if (!fits) {
      throw new IllegalArgumentException(
          "JSON value " + json + " does not fit Avro type " + schema);
    }
    return json;
  }
}
