package io.adlake.config;

import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The declaration of one setting, written on the record component that holds it (Kafka's {@code
 * ConfigDef} is the model). The key is the component's name in kebab case under its record's path
 * ({@code clickWindow} of {@code adlake.attribution} is {@code adlake.attribution.click-window})
 * and the type is the component's type; this annotation gives the default, the rule and the
 * meaning. conf/application.conf is rendered from these ({@link ApplicationConf}), and {@link
 * ConfigLoader} binds and checks by them. On a component whose type is a record (a section), only
 * {@link #doc} is used.
 */
@Retention(RUNTIME)
@Target(RECORD_COMPONENT)
public @interface Setting {
  /**
   * The default, in HOCON: {@code 30 seconds}, {@code 0.05}, {@code
   * ${adlake.source.kinesis.region}} (the value of another key), map entries such as {@code USD =
   * 1.0, EUR = 1.08}. Strings and choices are written unquoted.
   */
  String value() default "";

  Rule rule() default Rule.ANY;

  /** What the setting means: the comment above it in conf/application.conf. */
  String doc();

  /**
   * Set when this component is not a key of its own but always holds the value of that declared
   * key.
   */
  String sameAs() default "";

  /**
   * A check of one setting's value; a value that fails it stops the start with the key and the
   * rule.
   */
  enum Rule {
    ANY("anything", value -> true),
    POSITIVE("> 0", value -> signum(value) > 0),
    NON_NEGATIVE(">= 0", value -> signum(value) >= 0),
    AT_LEAST_ONE(">= 1", value -> ((Number) value).doubleValue() >= 1),
    SHARE(
        "a share between 0 and 1",
        value -> signum(value) >= 0 && ((Number) value).doubleValue() <= 1),
    NOT_BLANK("not empty", value -> !value.toString().isBlank()),
    IDENTIFIER(
        "a plain identifier (letters, digits, underscore; not starting with a digit)",
        "[A-Za-z_][A-Za-z0-9_]{0,127}"),
    STREAM_NAME("a valid topic/stream name ([A-Za-z0-9._-], 1-249 chars)", "[A-Za-z0-9._-]{1,249}"),
    /** Kinesis allows shorter stream (and consumer) names than Kafka allows topic names. */
    KINESIS_NAME("a valid Kinesis name ([A-Za-z0-9._-], 1-128 chars)", "[A-Za-z0-9._-]{1,128}"),
    HTTP_URL("an http:// or https:// URL", "(?i)https?://\\S+"),
    AWS_REGION("an AWS region such as us-east-1", "[a-z]{2}(-[a-z]+)+-\\d+");

    private final String requirement;
    private final Predicate<Object> test;

    Rule(String requirement, Predicate<Object> test) {
      this.requirement = requirement;
      this.test = test;
    }

    Rule(String requirement, String regex) {
      this(requirement, value -> Pattern.matches(regex, value.toString()));
    }

    /**
     * Checks {@code value} (an empty {@link Optional} passes: "none" is always allowed where it is
     * declared).
     */
    public void check(String key, Object value) {
      Object present = value instanceof Optional<?> optional ? optional.orElse(null) : value;
      if (value == null || (present != null && !test.test(present))) {
        throw new ConfigurationException(
            key + " must be " + requirement + ", got '" + present + "'");
      }
    }

    private static int signum(Object value) {
      return value instanceof Duration d
          ? (d.isZero() ? 0 : d.isNegative() ? -1 : 1)
          : (int) Math.signum(((Number) value).doubleValue());
    }
  }
}
