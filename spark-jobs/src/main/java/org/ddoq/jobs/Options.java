package org.ddoq.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.InputException;

/**
 * A sub-command's command line: declared options with defaults and help, parsed from {@code --name
 * value} and {@code --flag} words. Unknown or malformed options are an {@link InputException} that
 * lists what is accepted, so a typo never runs a job with silently different settings.
 */
final class Options {
  private record Spec(String name, String value, String defaultValue, String help) {
    boolean isFlag() {
      return value == null;
    }
  }

  private final String command;
  private final Map<String, Spec> specs = new LinkedHashMap<>();
  private final Map<String, String> values = new LinkedHashMap<>();

  Options(String command) {
    this.command = command;
  }

  /**
   * An option that takes a value; {@code defaultValue} null means required unless said otherwise.
   */
  Options option(String name, String value, String defaultValue, String help) {
    specs.put(name, new Spec(name, value, defaultValue, help));
    return this;
  }

  Options flag(String name, String help) {
    specs.put(name, new Spec(name, null, null, help));
    return this;
  }

  Options parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String word = args[i];
      if (!word.startsWith("--")) {
        throw new InputException(
            "ddoq "
                + command
                + ": unexpected argument '"
                + word
                + "'; options start with --\n"
                + usage());
      }
      String name = word.substring(2);
      String inline = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inline = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Spec spec = specs.get(name);
      if (spec == null) {
        throw new InputException("ddoq " + command + ": unknown option --" + name + "\n" + usage());
      }
      if (spec.isFlag()) {
        values.put(name, "true");
      } else if (inline != null) {
        values.put(name, inline);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        values.put(name, args[++i]);
      } else {
        throw new InputException(
            "ddoq " + command + ": option --" + name + " needs a value (" + spec.value() + ")");
      }
    }
    return this;
  }

  /**
   * Prints the usage and returns false when {@code --help} is among the words, else parses them.
   */
  boolean parseUnlessHelp(String[] args) {
    if (List.of(args).contains("--help")) {
      System.out.println(usage());
      return false;
    }
    parse(args);
    return true;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The value given, else the default, else null. */
  String get(String name) {
    Spec spec = specs.get(name);
    if (spec == null) {
      throw new IllegalArgumentException("undeclared option " + name);
    }
    return values.getOrDefault(name, spec.defaultValue());
  }

  String required(String name) {
    String v = get(name);
    if (v == null || v.isBlank()) {
      throw new InputException("ddoq " + command + ": --" + name + " is required\n" + usage());
    }
    return v;
  }

  boolean flagSet(String name) {
    return "true".equals(values.get(name));
  }

  int integer(String name, int min) {
    String v = required(name);
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new InputException(
          "ddoq " + command + ": --" + name + " must be a whole number, got '" + v + "'");
    }
    if (n < min) {
      throw new InputException(
          "ddoq " + command + ": --" + name + " must be >= " + min + ", got " + n);
    }
    return n;
  }

  /** A whole number >= min, or null for "auto". */
  Integer integerOrAuto(String name, int min) {
    return "auto".equals(get(name)) ? null : integer(name, min);
  }

  long longValue(String name) {
    String v = required(name);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new InputException(
          "ddoq " + command + ": --" + name + " must be a whole number, got '" + v + "'");
    }
  }

  double number(String name, double min, double max) {
    String v = required(name);
    double x;
    try {
      x = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new InputException(
          "ddoq " + command + ": --" + name + " must be a number, got '" + v + "'");
    }
    if (!(x >= min && x <= max)) {
      throw new InputException(
          "ddoq "
              + command
              + ": --"
              + name
              + " must be between "
              + min
              + " and "
              + (max == Double.MAX_VALUE ? "infinity" : String.valueOf(max))
              + ", got "
              + v);
    }
    return x;
  }

  String oneOf(String name, String... allowed) {
    String v = required(name);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new InputException(
        "ddoq "
            + command
            + ": --"
            + name
            + " must be one of "
            + String.join(", ", allowed)
            + "; got '"
            + v
            + "'");
  }

  String usage() {
    List<String> lines = new ArrayList<>();
    lines.add("usage: ddoq " + command + " [options]");
    for (Spec s : specs.values()) {
      String left = "  --" + s.name() + (s.isFlag() ? "" : " " + s.value());
      String right =
          s.help() + (s.defaultValue() != null ? " (default " + s.defaultValue() + ")" : "");
      lines.add(String.format("%-28s %s", left, right));
    }
    return String.join("\n", lines);
  }
}
