package io.adlake.avro;

import static java.util.Objects.requireNonNull;

import io.adlake.event.EventSchemas;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One record in the Confluent wire format → the event's struct plus the reason it could not be
 * decoded. The writer schema comes from the registry by the record's id; Avro resolves it against
 * the reader schema (the event type's current schema), so a record written with an older version
 * gets the newer fields' defaults. Runs in the executors: each task deserializes its own copy and
 * caches the schemas it fetched (an unknown id too, so a burst of bad records costs one request).
 */
final class AvroRecordDecoding implements UDF1<byte[], Row> {
  private static final long serialVersionUID = 1L;

  private final String registryUrl;
  private final String setting;
  private final Duration timeout;
  private final String readerSchema;
  private final StructType struct;
  private transient Schema reader;
  private transient SchemaRegistryClient registry;
  private transient Map<Integer, Optional<GenericDatumReader<GenericRecord>>> readers;
  private transient BinaryDecoder decoder;

  AvroRecordDecoding(
      String registryUrl,
      String setting,
      Duration timeout,
      Schema readerSchema,
      StructType struct) {
    this.registryUrl = requireNonNull(registryUrl, "registryUrl");
    this.setting = requireNonNull(setting, "setting");
    this.timeout = requireNonNull(timeout, "timeout");
    this.readerSchema = readerSchema.toString();
    this.struct = requireNonNull(struct, "struct");
  }

  @Override
  public Row call(byte[] record) {
    if (!ConfluentWireFormat.isFramed(record)) {
      return failed(AvroEventDecoder.BAD_MAGIC_BYTE);
    }
    Optional<GenericDatumReader<GenericRecord>> datumReader =
        readerFor(ConfluentWireFormat.schemaId(record));
    if (datumReader.isEmpty()) {
      return failed(AvroEventDecoder.UNKNOWN_SCHEMA_ID);
    }
    try {
      decoder =
          DecoderFactory.get()
              .binaryDecoder(
                  record,
                  ConfluentWireFormat.HEADER_BYTES,
                  record.length - ConfluentWireFormat.HEADER_BYTES,
                  decoder);
      GenericRecord event = datumReader.get().read(null, decoder);
      // Bytes left over mean the writer schema was not the one these bytes were written with. A
      // writer schema that
      // does not resolve against ours (another topic's) fails in read() with an AvroTypeException.
      if (!decoder.isEnd()) {
        return failed(AvroEventDecoder.UNDECODABLE);
      }
      Object[] values = row(event, struct);
      Object[] withReason = Arrays.copyOf(values, values.length + 1);
      return RowFactory.create(withReason);
    } catch (IOException
        | AvroRuntimeException
        | IndexOutOfBoundsException
        | NegativeArraySizeException
        | ClassCastException e) {
      // A claimed length over AvroLimits ends here too, as Avro's SystemLimitException (an
      // AvroRuntimeException).
      return failed(AvroEventDecoder.UNDECODABLE);
    }
  }

  private Optional<GenericDatumReader<GenericRecord>> readerFor(int schemaId) {
    if (readers == null) {
      AvroLimits.apply();
      readers = new HashMap<>();
      reader = new Schema.Parser().parse(readerSchema);
      registry = new SchemaRegistryClient(registryUrl, setting, timeout);
    }
    return readers.computeIfAbsent(
        schemaId,
        id -> registry.schema(id).map(writer -> new GenericDatumReader<>(writer, reader)));
  }

  private Row failed(String reason) {
    Object[] values = new Object[struct.size() + 1];
    values[struct.size()] = reason;
    return RowFactory.create(values);
  }

  private static Object[] row(GenericRecord record, StructType type) {
    StructField[] fields = type.fields();
    Object[] values = new Object[fields.length];
    Schema schema = record.getSchema();
    for (int i = 0; i < fields.length; i++) {
      Schema.Field field = schema.getField(fields[i].name());
      if (field != null) {
        values[i] =
            value(
                record.get(field.pos()),
                EventSchemas.nonNull(field.schema()),
                fields[i].dataType());
      }
    }
    return values;
  }

  private static Object value(Object avro, Schema schema, DataType type) {
    if (avro == null) {
      return null;
    }
    if (type instanceof StructType struct) {
      return RowFactory.create(row((GenericRecord) avro, struct));
    }
    if (type instanceof ArrayType array) {
      Schema items = EventSchemas.nonNull(schema.getElementType());
      List<Object> values = new ArrayList<>();
      for (Object item : (Collection<?>) avro) {
        values.add(value(item, items, array.elementType()));
      }
      return values;
    }
    if (avro instanceof Utf8 || avro instanceof CharSequence) {
      return avro.toString();
    }
    if (type == DataTypes.StringType && avro instanceof Long millis) {
      // timestamp-millis → the ISO text the JSON form carries, so both formats share the timestamp
      // checks.
      return Instant.ofEpochMilli(millis).toString();
    }
    return avro;
  }
}
