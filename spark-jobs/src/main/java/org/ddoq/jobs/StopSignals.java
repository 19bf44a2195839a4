package org.ddoq.jobs;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM when ddoq owns the JVM ({@code ddoq} or spark-submit): one line on
 * what is kept and how to go on, then exit. Left to the JVM, the signal stops the Spark context
 * under the running job, and its logs and the main thread's stack traces (hundreds of lines, with
 * "You hit a bug in Spark") hide what a user needs to know. Tests run commands in their own JVM and
 * get no handler.
 */
final class StopSignals {
  // How long Spark's shutdown hooks get before the process is ended regardless.
  private static final long GRACE_SECONDS = 10;
  private static volatile boolean installable;

  private StopSignals() {}

  /** Called by {@code main}: this JVM runs one command and ends with it. */
  static void ownJvm() {
    installable = true;
  }

  /**
   * From now on a stop prints "ddoq COMMAND: interrupted; " and {@code kept}'s line (or "nothing
   * was kept" when it gives null), and exits 130 (SIGINT) or 143 (SIGTERM).
   */
  static void install(String command, Supplier<String> kept) {
    if (!installable) {
      return;
    }
    sun.misc.SignalHandler handler =
        signal -> {
          String line = kept.get();
          System.err.println(
              "ddoq "
                  + command
                  + ": "
                  + (signal.getName().equals("INT") ? "interrupted" : "terminated")
                  + "; "
                  + (line == null ? "nothing was written yet" : line));
          System.err.flush();
          silence();
          int status = 128 + signal.getNumber();
          Thread halt =
              new Thread(
                  () -> {
                    try {
                      TimeUnit.SECONDS.sleep(GRACE_SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    Runtime.getRuntime().halt(status);
                  },
                  "ddoq-stop");
          halt.setDaemon(true);
          halt.start();
          System.exit(status);
        };
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal.handle(new Signal(name), handler);
      } catch (IllegalArgumentException e) {
        // A JVM started with -Xrs, or a platform without the signal: the JVM's default stands.
      }
    }
  }

  /** Spark's logs and the failing job's stack traces say nothing more once the user stopped it. */
  private static void silence() {
    Configurator.setRootLevel(Level.OFF);
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    System.setErr(nowhere);
    System.setOut(nowhere);
  }
}
