package org.ddoq.core.output;

/** RFC 4180 quoting: class names may hold commas or quotes. */
public final class Csv {
  private Csv() {}

  public static String field(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
      return "\"" + value.replace("\"", "\"\"") + "\"";
    }
    return value;
  }
}
