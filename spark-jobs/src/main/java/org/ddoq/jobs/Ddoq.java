package org.ddoq.jobs;

import java.util.Arrays;
import org.ddoq.core.data.InputException;

/**
 * The {@code ddoq} command line: one Spark application per sub-command. Exit status: 0 done, 2 bad
 * input or options (message only, no stack trace), 1 anything else.
 */
public final class Ddoq {
  static final String USAGE =
      String.join(
          "\n",
          "usage: ddoq <command> [options]",
          "",
          "commands:",
          "  distill       distill a labelled image dataset into a small weighted synthetic set",
          "  decode        decode a distilled set's centroids again with other decoder settings or prior",
          "  train-prior   train the built-in VAE prior on a dataset and write a prior directory",
          "  evaluate      train students on distilled sets and baselines, test them on the real test split",
          "  train-teacher train evaluate's built-in teacher on a dataset (resumable; evaluate would train it too)",
          "  export-latents  write kept latents as one .npy per class (for Python tools)",
          "  help          this text; 'ddoq <command> --help' lists a command's options",
          "",
          "example: ddoq distill --input /usr/share/datasets/fashion-mnist --ipc 10 --out out/fmnist-ipc10");

  private Ddoq() {}

  public static void main(String[] args) {
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

  /** Runs one command and returns the exit status (tests call this instead of main). */
  static int run(String[] args) {
    if (args.length == 0
        || args[0].equals("help")
        || args[0].equals("--help")
        || args[0].equals("-h")) {
      System.out.println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (command) {
        case "distill" -> DistillJob.main(rest);
        case "decode" -> DecodeJob.main(rest);
        case "train-prior" -> TrainPriorJob.main(rest);
        case "export-latents" -> ExportLatentsJob.main(rest);
        case "evaluate" -> EvaluateJob.main(rest);
        case "train-teacher" -> TrainTeacherJob.main(rest);
        default -> throw new InputException("unknown command '" + command + "'\n" + USAGE);
      }
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
