package org.ddoq.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prior cache's housekeeping: what identifies an input, and leftovers of killed trainings. */
class PriorCacheTest {

  /** A link from a class folder to its parent is entered once, so the count is the real one. */
  @Test
  void anInputWithALinkLoopIsListedOnceAndQuickly(@TempDir Path dir) throws Exception {
    Path input = dir.resolve("digits");
    for (String c : new String[] {"digit_0", "digit_1"}) {
      Files.createDirectories(input.resolve(c));
      for (int i = 0; i < 3; i++) {
        Files.write(input.resolve(c).resolve(i + ".png"), new byte[10 + i]);
      }
    }
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(input.toUri());
    InputListing plain = InputListing.of(fs, root);
    assertEquals(6, plain.files());
    assertEquals(2 * (10 + 11 + 12), plain.bytes());

    Files.createSymbolicLink(input.resolve("digit_0").resolve("loop"), Path.of(".."));
    InputListing looped =
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> InputListing.of(fs, root));
    assertEquals(plain, looped);
  }

  @Test
  void temporaryEntriesOlderThanADayAreRemovedAndYoungerOnesKept(@TempDir Path dir)
      throws Exception {
    Path priors = Files.createDirectories(dir.resolve("priors"));
    Path old = Files.createDirectories(priors.resolve("abc.tmp-1"));
    Files.write(old.resolve("vae.params"), new byte[100]);
    Path young = Files.createDirectories(priors.resolve("abc.tmp-2"));
    Path finished = Files.createDirectories(priors.resolve("abc"));
    Path link = priors.resolve("def.tmp-3");
    Files.createSymbolicLink(link, finished.getFileName());
    Instant now = Instant.now();
    FileTime twoDaysAgo = FileTime.from(now.minus(Duration.ofDays(2)));
    Files.setLastModifiedTime(old, twoDaysAgo);
    // A link's own time: set through the link's parent listing is not portable, so the link is
    // left young here and must survive, with its target.
    PriorCache.removeOrphans(priors, now.minus(PriorCache.ORPHAN_AGE));
    assertFalse(Files.exists(old), "a killed training's leftovers older than a day go");
    assertTrue(Files.exists(young), "a younger one may be a running training");
    assertTrue(Files.exists(finished) && Files.isSymbolicLink(link));

    PriorCache.removeOrphans(priors, now.plus(Duration.ofDays(1)));
    assertFalse(Files.exists(young));
    assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the link goes");
    assertTrue(Files.isDirectory(finished), "not the finished prior it pointed to");
  }

  @Test
  void aStoppedTrainingsFolderIsContinuedByOneRunAtATimeAndNotRemovedWhileHeld(@TempDir Path dir)
      throws Exception {
    Path priors = Files.createDirectories(dir.resolve("priors"));
    Path partial;
    try (TrainingFolder first = TrainingFolder.claim(priors, "abc")) {
      partial = first.path();
      assertEquals(priors.resolve("abc.partial"), partial);
      assertFalse(first.holdsStoppedTraining());
      Files.write(partial.resolve("vae-checkpoint.bin"), new byte[10]);
      try (TrainingFolder second = TrainingFolder.claim(priors, "abc")) {
        assertTrue(
            second.path().getFileName().toString().startsWith("abc.tmp-"),
            "a run beside a running training gets a folder of its own: " + second.path());
      }
      Files.setLastModifiedTime(partial, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
      PriorCache.removeOrphans(priors, Instant.now().minus(PriorCache.ORPHAN_AGE));
      assertTrue(Files.exists(partial), "a held folder is in use, however old");
    }
    // The run is gone (as a killed process's lock is): the next one continues its training.
    try (TrainingFolder next = TrainingFolder.claim(priors, "abc")) {
      assertEquals(partial, next.path());
      assertTrue(next.holdsStoppedTraining());
    }
    Files.setLastModifiedTime(partial, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    PriorCache.removeOrphans(priors, Instant.now().minus(PriorCache.ORPHAN_AGE));
    assertFalse(Files.exists(partial), "an old folder nobody holds is a killed run's leftover");
  }
}
