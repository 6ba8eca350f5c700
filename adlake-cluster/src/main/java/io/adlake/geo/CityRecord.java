package io.adlake.geo;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import java.util.List;
import java.util.Map;

/**
 * The parts of a GeoLite2-City / GeoIP2-City record that adlake reads; the reader skips the rest
 * (names in other languages, continent, accuracy radius...). Public because the reader builds them
 * by reflection.
 */
public final class CityRecord {
  final Names city;
  final Country country;
  final List<Subdivision> subdivisions;
  final Postal postal;
  final Location location;

  @MaxMindDbConstructor
  public CityRecord(
      @MaxMindDbParameter(name = "city") Names city,
      @MaxMindDbParameter(name = "country") Country country,
      @MaxMindDbParameter(name = "subdivisions") List<Subdivision> subdivisions,
      @MaxMindDbParameter(name = "postal") Postal postal,
      @MaxMindDbParameter(name = "location") Location location) {
    this.city = city;
    this.country = country;
    this.subdivisions = subdivisions;
    this.postal = postal;
    this.location = location;
  }

  GeoLocation toLocation() {
    String region = null;
    if (subdivisions != null
        && !subdivisions.isEmpty()
        && subdivisions.get(0).isoCode != null
        && country != null
        && country.isoCode != null) {
      region = country.isoCode + "-" + subdivisions.get(0).isoCode;
    }
    return new GeoLocation(
        city == null || city.names == null ? null : city.names.get("en"),
        region,
        postal == null ? null : postal.code,
        location == null ? null : location.timeZone,
        location == null ? null : location.latitude,
        location == null ? null : location.longitude);
  }

  public static final class Names {
    final Map<String, String> names;

    @MaxMindDbConstructor
    public Names(@MaxMindDbParameter(name = "names") Map<String, String> names) {
      this.names = names;
    }
  }

  public static final class Country {
    final String isoCode;

    @MaxMindDbConstructor
    public Country(@MaxMindDbParameter(name = "iso_code") String isoCode) {
      this.isoCode = isoCode;
    }
  }

  public static final class Subdivision {
    final String isoCode;

    @MaxMindDbConstructor
    public Subdivision(@MaxMindDbParameter(name = "iso_code") String isoCode) {
      this.isoCode = isoCode;
    }
  }

  public static final class Postal {
    final String code;

    @MaxMindDbConstructor
    public Postal(@MaxMindDbParameter(name = "code") String code) {
      this.code = code;
    }
  }

  public static final class Location {
    final String timeZone;
    final Double latitude;
    final Double longitude;

    @MaxMindDbConstructor
    public Location(
        @MaxMindDbParameter(name = "time_zone") String timeZone,
        @MaxMindDbParameter(name = "latitude") Double latitude,
        @MaxMindDbParameter(name = "longitude") Double longitude) {
      this.timeZone = timeZone;
      this.latitude = latitude;
      this.longitude = longitude;
    }
  }
}
