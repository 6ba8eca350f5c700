package io.adlake.avro;

/** The schema registry refused a request or could not be reached; the message says what to do. */
public final class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SchemaRegistryException(String message) {
    super(message);
  }

  SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
