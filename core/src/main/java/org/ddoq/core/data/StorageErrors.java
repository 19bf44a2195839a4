package org.ddoq.core.data;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the file-system failures a user causes (an S3 bucket that does not exist, no or wrong S3
 * credentials) into an {@link InputException} that says which path and what to do; anything else
 * stays an I/O error. S3A's exception classes are matched by name: hadoop-aws need not be on the
 * classpath.
 */
public final class StorageErrors {
  private static final String S3A_SETTINGS =
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, or"
          + " spark.hadoop.fs.s3a.access.key and spark.hadoop.fs.s3a.secret.key (conf/s3a.conf.template)";

  private StorageErrors() {}

  /**
   * @param path the path the user gave (input or output)
   * @param action what was being done, e.g. "reading" or "checking the output"
   */
  public static RuntimeException explain(String path, String action, IOException e) {
    // S3A wraps the cause (no credentials inside an AccessDeniedException): look for it along the
    // whole chain first.
    for (Throwable c = e; c != null; c = c.getCause()) {
      String type = c.getClass().getName();
      String message = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (type.endsWith(".UnknownStoreException") || message.contains("nosuchbucket")) {
        return new InputException(
            "the S3 bucket of "
                + path
                + " does not exist ("
                + action
                + "); create it, or fix the"
                + " bucket name or the endpoint (fs.s3a.endpoint)",
            e);
      }
      if (type.endsWith(".NoAuthWithAWSException")
          || message.contains("no aws credentials")
          || message.contains("unable to load credentials")) {
        return new InputException(
            "no S3 credentials for " + path + " (" + action + "); set " + S3A_SETTINGS, e);
      }
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.nio.file.AccessDeniedException && path.startsWith("s3")) {
        String reason = String.valueOf(c.getMessage()).lines().findFirst().orElse("");
        return new InputException(
            "S3 refused access to "
                + path
                + " ("
                + action
                + "): "
                + reason
                + "; check the"
                + " access key and secret ("
                + S3A_SETTINGS
                + ") and the bucket's permissions",
            e);
      }
    }
    return new UncheckedIOException(action + " " + path + ": " + e.getMessage(), e);
  }
}
