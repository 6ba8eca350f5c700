package io.adlake.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schemas of the four streams. The Avro files under {@code schemas/avro/} (also in the jar) are
 * the only definition; the Spark struct both decoders produce is derived from them, so a field
 * added to a file reaches the JSON parser, the Avro decoder and the bronze flattening at once. No
 * inference: a stream's first records must not decide its types. {@code event_timestamp} is a
 * string in the struct (the JSON form's ISO text; Avro's {@code timestamp-millis} is turned into
 * the same text), parsed separately, so an unparseable timestamp is told apart from a malformed
 * record.
 */
public final class EventSchemas {
  /** Where the schema files are on the classpath: the repository's {@code schemas/avro/}. */
  public static final String RESOURCE_ROOT = "schemas/avro/";

  private EventSchemas() {}

  /** Parses {@code schemas/avro/<file>} from the classpath. */
  public static Schema avro(String file) {
    try (InputStream in =
        EventSchemas.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + file)) {
      if (in == null) {
        throw new IllegalStateException(
            "Avro schema " + RESOURCE_ROOT + file + " is not on the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Avro schema " + RESOURCE_ROOT + file, e);
    }
  }

  /**
   * The Spark struct of an Avro record: every field nullable, unions with null → their other
   * branch.
   */
  public static StructType sparkType(Schema record) {
    StructType struct = new StructType();
    for (Schema.Field field : record.getFields()) {
      struct =
          struct.add(
              new StructField(field.name(), dataType(field.schema()), true, Metadata.empty()));
    }
    return struct;
  }

  private static DataType dataType(Schema schema) {
    return switch (schema.getType()) {
      case UNION -> dataType(nonNull(schema));
      case RECORD -> sparkType(schema);
      case ARRAY -> DataTypes.createArrayType(dataType(schema.getElementType()));
      case STRING, ENUM -> DataTypes.StringType;
      case INT -> DataTypes.IntegerType;
      case LONG -> isTimestamp(schema) ? DataTypes.StringType : DataTypes.LongType;
      case DOUBLE -> DataTypes.DoubleType;
      case FLOAT -> DataTypes.FloatType;
      case BOOLEAN -> DataTypes.BooleanType;
      default ->
          throw new IllegalArgumentException(
              "Avro type "
                  + schema.getType()
                  + " of "
                  + schema
                  + " has no place in an event schema: use records, arrays, nullable unions and primitives");
    };
  }

  /** The branch of a {@code [null, T]} union that is not null. */
  public static Schema nonNull(Schema union) {
    if (union.getType() != Schema.Type.UNION) {
      return union;
    }
    var branches = union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
    if (branches.size() != 1) {
      throw new IllegalArgumentException(
          "Only [null, T] unions are supported in event schemas, got " + union);
    }
    return branches.get(0);
  }

  /** A {@code long} carrying {@code timestamp-millis}: text in the struct, like the JSON form. */
  public static boolean isTimestamp(Schema schema) {
    return schema.getType() == Schema.Type.LONG
        && schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
  }
}
