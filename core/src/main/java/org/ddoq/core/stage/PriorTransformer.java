package org.ddoq.core.stage;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.ddoq.core.prior.PriorModels;
import org.ddoq.core.prior.PriorSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the encode and decode stages share: one column in, one column out, computed in batches by a
 * prior on the executors. Each partition opens one {@link PriorSession} (the weights are loaded
 * once per executor JVM by {@link PriorModels}), streams its rows through it {@code batchSize} at a
 * time, and closes the session when the partition ends, so native memory does not grow with the
 * data.
 */
abstract class PriorTransformer extends Transformer implements MLWritable {
  private static final Logger LOG = LoggerFactory.getLogger(PriorTransformer.class);

  /** Maps one batch of input values to output values, row for row. Runs on the executors. */
  interface BatchFunction extends Serializable {
    Object[] apply(PriorSession session, List<Row> batch, int inputIndex);
  }

  private final String uid;
  private final Param<String> priorPath;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final IntParam batchSize;

  protected PriorTransformer(String uid, String defaultInput, String defaultOutput) {
    this.uid = uid;
    priorPath =
        new Param<>(this, "priorPath", "directory holding prior.json and the model weights");
    inputCol = new Param<>(this, "inputCol", "input column name");
    outputCol = new Param<>(this, "outputCol", "output column name");
    batchSize =
        new IntParam(this, "batchSize", "rows per model call (>= 1)", ParamValidators.gtEq(1));
    setDefault(inputCol, defaultInput);
    setDefault(outputCol, defaultOutput);
    setDefault(batchSize, 256);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> priorPath() {
    return priorPath;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public String getPriorPath() {
    if (!isDefined(priorPath)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + ": priorPath is not set; call setPriorPath(dir)");
    }
    return $(priorPath);
  }

  public String getInputCol() {
    return $(inputCol);
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  protected void setPriorPathValue(String value) {
    set(priorPath, value);
  }

  protected void setInputColValue(String value) {
    set(inputCol, value);
  }

  protected void setOutputColValue(String value) {
    set(outputCol, value);
  }

  protected void setBatchSizeValue(int value) {
    set(batchSize, value);
  }

  /** The type the input column must have. */
  protected abstract DataType inputType();

  /** The type of the column this stage appends. */
  protected abstract DataType outputType();

  /** The per-batch computation; must not capture this stage (it is shipped to executors). */
  protected abstract BatchFunction batchFunction();

  @Override
  public StructType transformSchema(StructType schema) {
    String in = getInputCol();
    if (!java.util.Arrays.asList(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + ": input column '"
              + in
              + "' is missing; columns are "
              + String.join(", ", schema.fieldNames()));
    }
    DataType actual = schema.apply(in).dataType();
    if (!actual.sameType(inputType())) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + ": input column '"
              + in
              + "' must be "
              + inputType().simpleString()
              + " but is "
              + actual.simpleString());
    }
    if (java.util.Arrays.asList(schema.fieldNames()).contains(getOutputCol())) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + ": output column '"
              + getOutputCol()
              + "' already exists; choose another with setOutputCol");
    }
    return schema.add(getOutputCol(), outputType(), false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema());
    String prior = getPriorPath();
    int batch = getBatchSize();
    int inputIndex = dataset.schema().fieldIndex(getInputCol());
    BatchFunction fn = batchFunction();
    String stage = getClass().getSimpleName();
    MapPartitionsFunction<Row, Row> partition =
        rows -> new Batched(rows, prior, batch, inputIndex, fn, stage);
    return dataset.toDF().mapPartitions(partition, Encoders.row(outSchema));
  }

  @Override
  public Transformer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public MLWriter write() {
    return new DefaultParamsWriter(this);
  }

  /**
   * Streams a partition batch by batch; the session opens on the first row and closes after the
   * last.
   */
  private static final class Batched implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final String prior;
    private final int batchSize;
    private final int inputIndex;
    private final BatchFunction fn;
    private final String stage;
    private PriorSession session;
    private long startNanos;
    private long count;
    private Iterator<Row> current = java.util.Collections.emptyIterator();

    Batched(
        Iterator<Row> rows,
        String prior,
        int batchSize,
        int inputIndex,
        BatchFunction fn,
        String stage) {
      this.rows = rows;
      this.prior = prior;
      this.batchSize = batchSize;
      this.inputIndex = inputIndex;
      this.fn = fn;
      this.stage = stage;
    }

    @Override
    public boolean hasNext() {
      if (current.hasNext()) {
        return true;
      }
      if (!rows.hasNext()) {
        close(true);
        return false;
      }
      List<Row> batch = new ArrayList<>(batchSize);
      while (rows.hasNext() && batch.size() < batchSize) {
        batch.add(rows.next());
      }
      if (session == null) {
        // One line at the start and one at the end of each partition: an executor log shows what it
        // was doing when it died (a task that started and never finished).
        startNanos = System.nanoTime();
        LOG.info("{}: {} started", stage, where());
        session = PriorModels.open(prior);
        // A failed or killed task must still free its native memory.
        TaskContext task = TaskContext.get();
        if (task != null) {
          task.addTaskCompletionListener(
              (org.apache.spark.util.TaskCompletionListener) context -> close(false));
        }
      }
      Object[] out = fn.apply(session, batch, inputIndex);
      count += batch.size();
      List<Row> result = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Row row = batch.get(i);
        Object[] values = new Object[row.length() + 1];
        for (int c = 0; c < row.length(); c++) {
          values[c] = row.get(c);
        }
        values[row.length()] = out[i];
        result.add(RowFactory.create(values));
      }
      current = result.iterator();
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    /**
     * @param finished true after the last row; false when the task ends before it (failed, or not
     *     all rows read)
     */
    private void close(boolean finished) {
      if (session != null) {
        session.close();
        session = null;
        LOG.info(
            "{}: {} {}, {} rows in {} ms",
            stage,
            where(),
            finished ? "done" : "ended early",
            count,
            (System.nanoTime() - startNanos) / 1_000_000);
      }
    }

    private static String where() {
      TaskContext task = TaskContext.get();
      return task == null
          ? "partition"
          : "partition "
              + task.partitionId()
              + " (stage "
              + task.stageId()
              + ", TID "
              + task.taskAttemptId()
              + ")";
    }
  }
}
