package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.ddoq.core.data.ImageShape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default end to end: the full Fashion-MNIST training set with the default config (~5
 * minutes). Run with {@code mvn -o -B -pl core test -Dtest=DefaultPriorTrainingTest
 * -Dddoq.slow=true}.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "ddoq.slow", matches = "true")
class DefaultPriorTrainingTest {
  @TempDir Path dir;

  @Test
  void defaultConfigTrainsFashionMnistToRecognisableReconstructions() throws Exception {
    byte[][] train = TestIdx.images("train-images-idx3-ubyte.gz", Integer.MAX_VALUE);
    byte[][] test = TestIdx.images("t10k-images-idx3-ubyte.gz", Integer.MAX_VALUE);
    PriorSpec spec =
        VaeTraining.train(
            train,
            test,
            new ImageShape(1, 28, 28),
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            VaeTrainingConfig.defaults(),
            dir.resolve("prior"),
            line -> System.out.println("[train-prior] " + line));
    System.out.println("[result] " + spec);
    assertTrue(spec.reconstructionMse() < 0.02, "held-out MSE " + spec.reconstructionMse());
  }
}
