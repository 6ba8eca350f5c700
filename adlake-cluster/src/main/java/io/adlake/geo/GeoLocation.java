package io.adlake.geo;

/**
 * Where a City database places an IP address. Any part may be NULL: many networks are known to the
 * country or region only.
 *
 * @param city English city name, e.g. "Lyon"
 * @param region ISO 3166-2 code of the first-level subdivision, e.g. "FR-ARA", "US-MI"
 * @param postal postal code as the database has it (a prefix in some countries, e.g. "OX13")
 * @param timezone IANA time zone, e.g. "Europe/Paris"
 * @param latitude approximate latitude (the database's accuracy radius is kilometres)
 * @param longitude approximate longitude
 */
public record GeoLocation(
    String city,
    String region,
    String postal,
    String timezone,
    Double latitude,
    Double longitude) {}
