package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A job parses its options and calls core; none calls another job (the dispatcher {@link Ddoq}
 * calls them all). What a job needs from another belongs in core, where a notebook can reach it
 * too.
 */
class JobsCallOnlyCoreTest {
  @Test
  void noJobReferencesAnotherJob() throws IOException {
    Path dir = Path.of(System.getProperty("basedir", "."), "src/main/java/org/ddoq/jobs");
    List<Path> jobs;
    try (Stream<Path> files = Files.list(dir)) {
      jobs = files.filter(f -> f.getFileName().toString().endsWith("Job.java")).sorted().toList();
    }
    assertTrue(jobs.size() >= 6, "found the jobs in " + dir + ": " + jobs);
    List<String> offences = new ArrayList<>();
    for (Path job : jobs) {
      String own = job.getFileName().toString().replace(".java", "");
      String source = Files.readString(job);
      for (Path other : jobs) {
        String name = other.getFileName().toString().replace(".java", "");
        if (!name.equals(own) && Pattern.compile("\\b" + name + "\\b").matcher(source).find()) {
          offences.add(own + " -> " + name);
        }
      }
    }
    assertTrue(offences.isEmpty(), "jobs calling jobs (move the shared part to core): " + offences);
  }
}
