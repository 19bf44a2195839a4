package org.ddoq.jobs;

import org.ddoq.core.data.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code ddoq} command line: one Spark application per sub-command, each a picocli command
 * whose options, help and parse errors picocli makes. Exit status: 0 done, 2 bad input or options
 * (one line, no stack trace), 1 anything else.
 */
@Command(
    name = "ddoq",
    description =
        "Runs each command as one Spark application; 'ddoq <command> --help' lists its options.",
    synopsisSubcommandLabel = "<command>",
    commandListHeading = "%ncommands:%n",
    footer = {
      "",
      "example: ddoq distill --input /usr/share/datasets/fashion-mnist --ipc 10 --out"
          + " out/fmnist-ipc10"
    },
    subcommands = {
      DistillJob.class,
      DecodeJob.class,
      TrainPriorJob.class,
      EvaluateJob.class,
      TrainTeacherJob.class,
      ExportLatentsJob.class,
      HelpCommand.class
    })
public final class Ddoq {
  @Mixin Cli.HelpOption help;

  private Ddoq() {}

  public static void main(String[] args) {
    StopSignals.ownJvm();
    int status = run(args);
    if (status != 0 || !inYarnApplicationMaster()) {
      System.exit(status);
    }
  }

  /**
   * In YARN cluster mode the driver runs inside Spark's ApplicationMaster, which reports a
   * System.exit from the application's main, even exit(0), as a FAILED application: there main must
   * return instead. The ApplicationMaster sets the application's Spark settings as system
   * properties.
   */
  static boolean inYarnApplicationMaster() {
    return System.getProperty("spark.master", "").startsWith("yarn")
        && "cluster".equals(System.getProperty("spark.submit.deployMode"));
  }

  /**
   * The command line: every sub-command, enum values in any case (lower-case in the help), an
   * option given twice takes its last value (as before picocli), no colours.
   */
  static CommandLine commandLine() {
    CommandLine cli =
        new CommandLine(new Ddoq())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setOverwrittenOptionsAllowed(true)
            .setUsageHelpWidth(100)
            .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    // Each command's help: "Usage: ddoq CMD [OPTIONS]", then the options in their declared order,
    // the required ones marked.
    for (CommandLine sub : cli.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      if (spec.options().stream().anyMatch(o -> o.required())) {
        spec.usageMessage()
            .abbreviateSynopsis(true)
            .sortOptions(false)
            .requiredOptionMarker('*')
            .footer("", "* required");
      }
    }
    return cli;
  }

  /** Runs one command and returns the exit status (tests call this instead of main). */
  static int run(String[] args) {
    CommandLine cli = commandLine();
    ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (ParameterException e) {
      System.err.println(Cli.errorLine(e, args));
      return 2;
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return 0;
    }
    if (!parsed.hasSubcommand()) {
      cli.usage(System.out);
      return 2;
    }
    CommandSpec spec = parsed.subcommand().commandSpec();
    String command = spec.name();
    try {
      ((Runnable) spec.userObject()).run();
      return 0;
    } catch (InputException e) {
      System.err.println(errorLine(command, e));
      return 2;
    } catch (RuntimeException e) {
      InputException cause = findInputException(e);
      if (cause != null) {
        System.err.println(errorLine(command, cause));
        return 2;
      }
      throw e;
    }
  }

  /** "ddoq CMD: error: message", once: option errors already start with "ddoq CMD: ". */
  static String errorLine(String command, InputException e) {
    String prefix = "ddoq " + command + ": ";
    String message = e.getMessage();
    return prefix
        + "error: "
        + (message.startsWith(prefix) ? message.substring(prefix.length()) : message);
  }

  /** Bad input found on an executor reaches the driver wrapped in Spark's exceptions: unwrap it. */
  static InputException findInputException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof InputException ie) {
        return ie;
      }
      if (c.getCause() == null
          && c.getMessage() != null
          && c.getMessage().contains(InputException.class.getName() + ": ")) {
        String m = c.getMessage();
        String after =
            m.substring(
                m.indexOf(InputException.class.getName() + ": ")
                    + InputException.class.getName().length()
                    + 2);
        int end = after.indexOf("\n");
        return new InputException(end >= 0 ? after.substring(0, end) : after);
      }
    }
    return null;
  }
}
