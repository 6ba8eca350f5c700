package io.adlake.event;

import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/** UTF-8 JSON text, one object per record, read with the type's explicit schema (PERMISSIVE). */
final class JsonEventDecoder implements EventDecoder {
  static final JsonEventDecoder INSTANCE = new JsonEventDecoder();
  private static final long serialVersionUID = 1L;
  private static final String CORRUPT = "_corrupt_record";

  private JsonEventDecoder() {}

  @Override
  public Column decode(Column raw, EventType type) {
    return from_json(
        raw.cast("string"),
        type.schema().add(CORRUPT, DataTypes.StringType),
        Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT));
  }

  @Override
  public Column failure(Column raw, Column decoded) {
    // Bytes that are not valid UTF-8 would be decoded with replacement characters and could parse:
    // they do not
    // survive decode + encode unchanged.
    Column invalidUtf8 = encode(raw.cast("string"), "UTF-8").notEqual(raw);
    return when(
        invalidUtf8.or(decoded.isNull()).or(decoded.getField(CORRUPT).isNotNull()),
        lit(EventParser.MALFORMED));
  }

  @Override
  public String describe() {
    return "json";
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
