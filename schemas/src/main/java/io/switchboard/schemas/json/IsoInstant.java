package io.switchboard.schemas.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Instants in the form every record carries them, {@code 2026-11-22T10:00:00.123Z} (UTC, years 0000
 * to 9999), written and read without {@link java.time.format.DateTimeFormatter}, whose general
 * parser was the largest single cost of reading a dispatch. The text is exactly that of {@link
 * Instant#toString()}; any other form is handed to Jackson's own Instant (de)serializer, so what is
 * accepted and how it is read does not change.
 */
final class IsoInstant {
  private static final long MAX_FAST_SECOND = 253402300799L; // 9999-12-31T23:59:59Z
  private static final long MIN_FAST_SECOND = -62167219200L; // 0000-01-01T00:00:00Z

  private IsoInstant() {}

  /** The module that installs the fast paths over the Java time module's Instant handling. */
  static SimpleModule module() {
    SimpleModule module = new SimpleModule("switchboard-instants");
    module.addSerializer(Instant.class, new Writer());
    module.addDeserializer(Instant.class, new Reader());
    return module;
  }

  /** {@code instant.toString()}, or null when its year is outside 0000 to 9999. */
  static String format(Instant instant) {
    long second = instant.getEpochSecond();
    if (second < MIN_FAST_SECOND || second > MAX_FAST_SECOND) {
      return null;
    }
    long days = Math.floorDiv(second, 86_400L);
    int secondOfDay = (int) Math.floorMod(second, 86_400L);
    // Days to civil date (H. Hinnant's algorithm), in eras of 400 years from 0000-03-01.
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long dayOfEra = z - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long mp = (5 * dayOfYear + 2) / 153;
    int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
    int nano = instant.getNano();
    char[] out = new char[31];
    digits(out, 0, year, 4);
    out[4] = '-';
    digits(out, 5, month, 2);
    out[7] = '-';
    digits(out, 8, day, 2);
    out[10] = 'T';
    digits(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    digits(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, secondOfDay % 60, 2);
    int end = 19;
    if (nano != 0) {
      out[end++] = '.';
      if (nano % 1_000_000 == 0) {
        digits(out, end, nano / 1_000_000, 3);
        end += 3;
      } else if (nano % 1000 == 0) {
        digits(out, end, nano / 1000, 6);
        end += 6;
      } else {
        digits(out, end, nano, 9);
        end += 9;
      }
    }
    out[end++] = 'Z';
    return new String(out, 0, end);
  }

  /**
   * The instant of {@code text} when it is exactly {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with valid
   * fields; null for anything else (which the general parser then reads or rejects).
   */
  static Instant parse(String text) {
    int n = text.length();
    if (n < 20
        || n > 30
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 2);
    int day = number(text, 8, 2);
    int hour = number(text, 11, 2);
    int minute = number(text, 14, 2);
    int second = number(text, 17, 2);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > daysInMonth(year, month)
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return null;
    }
    int nano = 0;
    if (n > 20) {
      int fraction = n - 21;
      if (text.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      int value = number(text, 20, fraction);
      if (value < 0) {
        return null;
      }
      nano = value;
      for (int i = fraction; i < 9; i++) {
        nano *= 10;
      }
    } else if (n != 20) {
      return null;
    }
    return Instant.ofEpochSecond(
        epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second, nano);
  }

  private static long epochDay(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yearOfEra = y - era * 400;
    long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097 + dayOfEra - 719_468;
  }

  private static int daysInMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /**
   * The decimal number of {@code length} ASCII digits at {@code from}, or -1 if one is not a digit.
   */
  private static int number(String text, int from, int length) {
    int value = 0;
    for (int i = from; i < from + length; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private static final class Writer extends StdScalarSerializer<Instant> {
    Writer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      String text =
          provider.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS) ? null : format(value);
      if (text == null) {
        InstantSerializer.INSTANCE.serialize(value, gen, provider);
      } else {
        gen.writeString(text);
      }
    }
  }

  private static final class Reader extends StdScalarDeserializer<Instant> {
    Reader() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_STRING)) {
        Instant fast = parse(p.getText());
        if (fast != null) {
          return fast;
        }
      }
      return InstantDeserializer.INSTANT.deserialize(p, ctxt);
    }
  }
}
