package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Airflow DAG (submit-scripts/airflow/ddoq_distill_evaluate.py), as far as it can be checked
 * without Airflow: Debian's Python loads it against stand-ins of DAG and SparkSubmitOperator (test
 * resources airflow/standin), renders its templates with Jinja for one logical date and builds the
 * spark-submit command the way Airflow's SparkSubmitHook orders it (airflow/render_dag.py). Each
 * task's command must equal, word for word, what submit-scripts/submit-standalone.sh --dry-run
 * prints for the same arguments.
 */
class AirflowDagTest {
  private static final String PYTHON =
      "/usr/bin/python3"; // Debian's, with python3-jinja2 (bin/setup --test)
  private static final String MASTER = "spark://master.example:7077";
  private static final String DS = "2026-03-01";
  private static JsonNode dag;

  @BeforeAll
  static void renderTheDag() throws Exception {
    assertTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is missing: run bin/setup --test");
    Path root = SparkSubmitLocalTest.repoFile("submit-scripts").getParent();
    Path render = Path.of(AirflowDagTest.class.getResource("airflow/render_dag.py").toURI());
    ScriptRun r =
        ScriptRun.run(
            Map.of("DDOQ_HOME", root.toString()),
            List.of(
                PYTHON,
                render.toString(),
                root.resolve("submit-scripts/airflow/ddoq_distill_evaluate.py").toString(),
                DS,
                MASTER));
    assertEquals(
        0,
        r.status(),
        "render_dag.py failed (python3-jinja2 missing? run bin/setup --test):\n" + r.err());
    dag = new ObjectMapper().readTree(r.out());
  }

  @Test
  void distillThenEvaluateWithOutputsUnderTheLogicalDate() {
    assertEquals("ddoq_distill_evaluate", dag.get("dag_id").asText());
    JsonNode tasks = dag.get("tasks");
    assertEquals(List.of("distill", "evaluate"), iterable(tasks.fieldNames()));
    assertEquals(
        "evaluate", tasks.at("/distill/downstream/0").asText(), "evaluate runs after distill");
    List<String> distill = args(tasks.get("distill"));
    List<String> evaluate = args(tasks.get("evaluate"));
    String distilled = "/data/ddoq/" + DS + "/distilled";
    assertEquals(distilled, distill.get(distill.indexOf("--out") + 1));
    assertEquals(
        distilled,
        evaluate.get(evaluate.indexOf("--distilled") + 1),
        "evaluate reads what distill wrote");
    assertEquals("/data/ddoq/" + DS + "/evaluation", evaluate.get(evaluate.indexOf("--out") + 1));
    assertEquals(
        distill.get(distill.indexOf("--input") + 1), evaluate.get(evaluate.indexOf("--data") + 1));
  }

  @Test
  void eachTaskRunsTheCommandOfSubmitStandalone() throws Exception {
    for (String task : List.of("distill", "evaluate")) {
      JsonNode t = dag.get("tasks").get(task);
      ScriptRun script =
          ScriptRun.submitScript(
              "submit-standalone.sh", Map.of("DDOQ_MASTER", MASTER), prepend("--dry-run", args(t)));
      assertEquals(0, script.status(), script.err());
      assertEquals(
          t.get("shell").asText(),
          script.out().strip(),
          task + ": Airflow's command vs submit-standalone.sh --dry-run");
    }
  }

  @Test
  void theDriverGetsTheSameDjlCacheAsTheExecutors() {
    for (JsonNode t : dag.get("tasks")) {
      String cache = t.at("/env_vars/DJL_CACHE_DIR").asText();
      assertTrue(
          !cache.isEmpty()
              && iterable(t.get("command").elements()).stream()
                  .map(JsonNode::asText)
                  .toList()
                  .contains("spark.executorEnv.DJL_CACHE_DIR=" + cache),
          t.toString());
    }
  }

  private static List<String> args(JsonNode task) {
    return iterable(task.get("application_args").elements()).stream()
        .map(JsonNode::asText)
        .toList();
  }

  private static String[] prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all.toArray(String[]::new);
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
