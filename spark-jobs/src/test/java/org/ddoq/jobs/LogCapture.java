package org.ddoq.jobs;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * What ddoq logs while open: the console lines a user of bin/ddoq sees (its log4j2 configuration
 * prints org.ddoq's messages on stderr), as "LEVEL message".
 */
final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger logger = (Logger) LogManager.getLogger("org.ddoq");
  private final AbstractAppender appender =
      new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
          lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
      };

  LogCapture() {
    appender.start();
    logger.addAppender(appender);
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    logger.removeAppender(appender);
    appender.stop();
  }
}
