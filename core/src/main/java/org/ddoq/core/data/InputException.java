package org.ddoq.core.data;

/**
 * Bad input a user can fix: the message names the file, row or parameter and says what to do. The
 * CLI prints only the message (no stack trace) and exits with status 2.
 */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
