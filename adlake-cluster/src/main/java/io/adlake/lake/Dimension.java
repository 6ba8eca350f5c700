package io.adlake.lake;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The reference tables {@code dims load} keeps: which table, which of its columns a file gives, and
 * the rules a row must meet beyond its column types.
 */
public enum Dimension {
  CAMPAIGNS(AdlakeTables.campaigns()) {
    @Override
    Optional<String> check(Map<String, Object> row) {
      for (String amount : List.of("daily_budget_usd", "target_cpa_usd")) {
        if (row.get(amount) instanceof Double d && d < 0) {
          return Optional.of(amount + " " + d + " must be >= 0");
        }
      }
      Object status = row.get("status");
      if (!CAMPAIGN_STATUSES.contains(status)) {
        return Optional.of(
            "status '" + status + "' must be one of " + String.join(", ", CAMPAIGN_STATUSES));
      }
      if (row.get("start_date") instanceof Date start
          && row.get("end_date") instanceof Date end
          && end.before(start)) {
        return Optional.of("end_date " + end + " is before start_date " + start);
      }
      return Optional.empty();
    }
  },
  ADVERTISERS(AdlakeTables.advertisers()) {
    @Override
    Optional<String> check(Map<String, Object> row) {
      return currency(row.get("currency"));
    }
  },
  /** Rates: a file gives currency, usd_per_unit and valid_from; valid_to follows from history. */
  CURRENCY_RATES(AdlakeTables.currencyRates()) {
    @Override
    Optional<String> check(Map<String, Object> row) {
      if (row.get("usd_per_unit") instanceof Double rate && !(rate > 0)) {
        return Optional.of("usd_per_unit " + rate + " must be > 0");
      }
      return currency(row.get("currency"));
    }
  };

  static final List<String> CAMPAIGN_STATUSES = List.of("active", "paused", "ended");

  /** Columns a load computes itself, never read from a file. */
  private static final Set<String> COMPUTED = Set.of(AdlakeTables.UPDATED_AT, "valid_to");

  private final TableSpec spec;

  Dimension(TableSpec spec) {
    this.spec = spec;
  }

  public TableSpec spec() {
    return spec;
  }

  public String tableName() {
    return spec.name();
  }

  /** Whether loading a row replaces the row with its key or adds to a history. */
  public boolean isHistory() {
    return this == CURRENCY_RATES;
  }

  /** The columns a file gives, in table order. */
  public List<String> inputColumns() {
    return spec.columnNames().stream().filter(c -> !COMPUTED.contains(c)).toList();
  }

  /** The dimension whose table is {@code name}; the message lists the others. */
  public static Dimension named(String name) {
    return Arrays.stream(values())
        .filter(d -> d.tableName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "No dimension table '"
                        + name
                        + "': dims load and dims show take "
                        + Arrays.stream(values())
                            .map(Dimension::tableName)
                            .collect(Collectors.joining(", "))));
  }

  /** The rule a typed row breaks beyond its column types, if any. */
  abstract Optional<String> check(Map<String, Object> row);

  /**
   * One field of a file as the value of its column: {@code null} for an absent or empty field.
   *
   * @throws IllegalArgumentException saying what is wrong with the text, for the rejection
   */
  Object parse(String column, String text) {
    TableSpec.ColumnSpec c = spec.column(column);
    if (text == null || text.isBlank()) {
      if (c.required()) {
        throw new IllegalArgumentException(column + " is required");
      }
      return null;
    }
    String value = text.strip();
    try {
      return switch (c.type().toUpperCase(Locale.ROOT)) {
        case "STRING" -> value;
        case "DOUBLE" -> {
          double d = Double.parseDouble(value);
          if (!Double.isFinite(d)) {
            throw new NumberFormatException();
          }
          yield d;
        }
        case "DATE" -> Date.valueOf(LocalDate.parse(value));
        case "TIMESTAMP" -> Timestamp.from(instant(value));
        default -> throw new IllegalStateException("No parser for type " + c.type());
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(column + " '" + value + "' is not a number");
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          column
              + " '"
              + value
              + "' is not a "
              + (c.type().equals("DATE")
                  ? "date (YYYY-MM-DD)"
                  : "UTC time (2026-11-21T12:00:00Z or 2026-11-21)"));
    }
  }

  /** ISO-8601 with an offset, or a date meaning its midnight UTC. */
  static Instant instant(String text) {
    if (text.length() == 10) {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return OffsetDateTime.parse(text).toInstant();
  }

  private static Optional<String> currency(Object code) {
    return code instanceof String s && s.matches("[A-Z]{3}")
        ? Optional.empty()
        : Optional.of("currency '" + code + "' is not an ISO-4217 code such as EUR");
  }
}
