package org.ddoq.jobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.ddoq.core.data.InputException;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the sub-commands share on the command line (picocli): the closed choices as enums, typed
 * lower-case; the {@code --help} option; the range checks a command makes after parsing; and one
 * line for each of picocli's parse errors, naming the option and what to do.
 */
final class Cli {
  private Cli() {}

  /** The input layout: {@code --format auto|idx|folder|parquet}. */
  enum Format {
    AUTO,
    IDX,
    FOLDER,
    PARQUET;

    @Override
    public String toString() {
      return lower(this);
    }
  }

  /** distill's {@code --weights mass|sqrt|uniform}. */
  enum Weighting {
    MASS,
    SQRT,
    UNIFORM;

    @Override
    public String toString() {
      return lower(this);
    }
  }

  /** distill's {@code --decoder auto|dit|vae|nearest}. */
  enum Decoder {
    AUTO,
    DIT,
    VAE,
    NEAREST;

    @Override
    public String toString() {
      return lower(this);
    }
  }

  /**
   * decode's {@code --decoder auto|dit|vae}: nearest needs the training images, decode has none.
   */
  enum Redecoder {
    AUTO,
    DIT,
    VAE;

    @Override
    public String toString() {
      return lower(this);
    }
  }

  /** evaluate's {@code --labels hard|teacher}. */
  enum Labels {
    HARD,
    TEACHER;

    @Override
    public String toString() {
      return lower(this);
    }
  }

  /** {@code --dit tiny|small|none}. */
  enum DitModel {
    TINY,
    SMALL,
    NONE;

    @Override
    public String toString() {
      return lower(this);
    }
  }

  /** {@code --dit-prediction v|epsilon}. */
  enum Prediction {
    V,
    EPSILON;

    @Override
    public String toString() {
      return lower(this);
    }
  }

  /** The constant of {@code type} that the core's setting {@code name} (lower-case) names. */
  static <E extends Enum<E>> E choice(Class<E> type, String name) {
    return Enum.valueOf(type, name.toUpperCase(Locale.ROOT));
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** {@code -h}, {@code --help}: a mixin of every command. */
  static final class HelpOption {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "print this help and exit")
    boolean help;
  }

  /** A value that must be given and not blank. */
  static String required(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new InputException(option + " is required");
    }
    return value;
  }

  static int atLeast(String option, int value, int min) {
    if (value < min) {
      throw new InputException(option + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  static double between(String option, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new InputException(
          option
              + " must be between "
              + min
              + " and "
              + (max == Double.MAX_VALUE ? "infinity" : String.valueOf(max))
              + ", got "
              + value);
    }
    return value;
  }

  /** A whole number >= min, or null for "auto". */
  static Integer integerOrAuto(String option, String value, int min) {
    if (value.trim().equals("auto")) {
      return null;
    }
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new InputException(option + " must be a whole number or auto, got '" + value + "'");
    }
    return atLeast(option, n, min);
  }

  /**
   * "ddoq CMD: error: what is wrong; what to do", one line for a picocli parse error: the option,
   * its value and what it takes, and where the full list is.
   */
  static String errorLine(ParameterException e, String[] args) {
    CommandSpec spec = e.getCommandLine().getCommandSpec();
    // picocli checks for missing required options before it reports unknown ones, but "--inptu"
    // is better reported as the typo it is than as a missing --input.
    if (e instanceof MissingParameterException
        && e.getMessage().startsWith("Missing required option")) {
      String unknown = firstUnknownOption(spec, args);
      if (unknown != null) {
        e = new UnmatchedArgumentException(e.getCommandLine(), List.of(unknown));
      }
    }
    return spec.qualifiedName() + ": error: " + problem(e, spec);
  }

  /** The first word that looks like an option but is none of the command's, else null. */
  private static String firstUnknownOption(CommandSpec spec, String[] args) {
    OptionSpec before = null;
    for (String word : args) {
      int eq = word.indexOf('=');
      OptionSpec o = spec.findOption(eq > 0 ? word.substring(0, eq) : word);
      boolean isValue = before != null && before.arity().max() > 0;
      if (o == null && word.startsWith("-") && !isValue) {
        return word;
      }
      before = eq > 0 ? null : o;
    }
    return null;
  }

  private static String problem(ParameterException e, CommandSpec spec) {
    boolean dispatcher = !spec.subcommands().isEmpty();
    String help =
        "'"
            + spec.qualifiedName()
            + " --help' lists "
            + (dispatcher ? "the commands" : "the options");
    if (e instanceof UnmatchedArgumentException u) {
      String word = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
      List<String> close = new ArrayList<>();
      for (String s : u.getSuggestions()) {
        OptionSpec o = spec.findOption(s);
        close.add(o == null ? s : synopsis(o));
      }
      String didYouMean =
          close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
      if (dispatcher && !word.startsWith("-")) {
        return "unknown command '" + word + "'" + didYouMean + "; " + help;
      }
      if (!word.startsWith("-")) {
        return "unexpected argument '" + word + "'; options start with --, and " + help;
      }
      int eq = word.indexOf('=');
      return "unknown option " + (eq > 0 ? word.substring(0, eq) : word) + didYouMean + "; " + help;
    }
    if (e instanceof MissingParameterException m) {
      List<String> missing =
          m.getMissing().stream()
              .filter(a -> a instanceof OptionSpec)
              .map(a -> synopsis((OptionSpec) a))
              .toList();
      if (e.getMessage().startsWith("Missing required option") && !missing.isEmpty()) {
        return String.join(" and ", missing)
            + (missing.size() == 1 ? " is" : " are")
            + " required; "
            + help;
      }
      ArgSpec a = m.getArgSpec() != null ? m.getArgSpec() : first(m.getMissing());
      if (a instanceof OptionSpec o) {
        return "option " + o.longestName() + " needs a value (" + o.paramLabel() + ")";
      }
    }
    if (e.getArgSpec() instanceof OptionSpec o && e.getValue() != null) {
      String got = "got '" + e.getValue() + "'";
      Class<?> type = o.type();
      if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
        return o.longestName() + " must be a whole number, " + got;
      }
      if (type == double.class || type == Double.class) {
        return o.longestName() + " must be a number, " + got;
      }
      if (type.isEnum()) {
        return o.longestName()
            + " must be one of "
            + String.join(
                ", ", Arrays.stream(type.getEnumConstants()).map(Objects::toString).toList())
            + "; "
            + got;
      }
    }
    return e.getMessage() + "; " + help;
  }

  private static ArgSpec first(List<ArgSpec> args) {
    return args == null || args.isEmpty() ? null : args.get(0);
  }

  /** "--ipc N", as the option is written. */
  private static String synopsis(OptionSpec o) {
    return o.longestName() + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
  }
}
