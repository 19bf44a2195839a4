package org.ddoq.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Executor side of {@link IdxReader}: streams one contiguous range of images out of the images file
 * as rows, one image in memory at a time. The stream is opened on first use and closed at the end
 * of the range or when the task ends, whichever comes first.
 */
final class IdxSliceIterator implements Iterator<Row> {
  private final Configuration conf;
  private final IdxFiles.Images images;
  private final int start;
  private final byte[] labels;
  private final String[] classNames;
  private final ImageShape nativeShape;
  private final ImageShape shape;
  private InputStream in;
  private int next;

  IdxSliceIterator(
      Configuration conf,
      IdxFiles.Images images,
      int start,
      byte[] labels,
      String[] classNames,
      ImageShape shape) {
    this.conf = conf;
    this.images = images;
    this.start = start;
    this.labels = labels;
    this.classNames = classNames;
    this.nativeShape = new ImageShape(1, images.height(), images.width());
    this.shape = shape;
  }

  @Override
  public boolean hasNext() {
    if (next < labels.length) {
      return true;
    }
    close();
    return false;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    long index = (long) start + next;
    byte[] pixels = new byte[images.imageBytes()];
    try {
      if (in == null) {
        open();
      }
      if (in.readNBytes(pixels, 0, pixels.length) < pixels.length) {
        throw new InputException(
            images.path()
                + " ends before image "
                + index
                + " (it changed while being read?);"
                + " copy the file again and rerun");
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          "reading image " + index + " of " + images.path() + ": " + e.getMessage(), e);
    }
    int label = labels[next] & 0xff;
    next++;
    byte[] image = Pixels.convert(pixels, nativeShape, shape);
    return RowFactory.create(index, label, classNames[label], images.path() + "#" + index, image);
  }

  private void open() throws IOException {
    Path path = new Path(images.path());
    in = IdxFiles.openAt(path.getFileSystem(conf), images, start);
    TaskContext task = TaskContext.get();
    if (task != null) {
      // A failed or cancelled task must not leak the stream (an S3 connection, say).
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> close());
    }
  }

  private void close() {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // Closing a read-only stream: nothing to recover.
      }
      in = null;
    }
  }
}
