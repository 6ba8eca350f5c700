package io.adlake.job;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.ExplainCommand;

/**
 * The statement of {@code report --sql}, judged by Spark's own parse of it (the session's parser,
 * with Iceberg's extensions) before anything runs: read-only are queries, {@code SHOW …}, {@code
 * DESCRIBE …} and {@code EXPLAIN} of a read-only statement. Anything else may change the lake or
 * the session (DDL, DML, {@code CALL} of a procedure such as {@code remove_orphan_files}, {@code
 * SET}, {@code CACHE}).
 *
 * <p>Queries are recognised by an allow-list of the operators Spark's parser builds for them, not
 * by excluding commands: a statement kind added by a later Spark (Spark 4's {@code CALL} and {@code
 * EXECUTE IMMEDIATE} are no {@code Command}) is then refused, not run.
 */
public final class AdHocSql {
  /** What a parsed query is made of (analysis has not run: relations are still unresolved). */
  private static final Set<String> QUERY_OPERATORS =
      Set.of(
          "Aggregate",
          "CTERelationDef",
          "CTERelationRef",
          "Deduplicate",
          "Distinct",
          "Except",
          "Expand",
          "Filter",
          "Generate",
          "GlobalLimit",
          "Intersect",
          "Join",
          "LateralJoin",
          "LocalLimit",
          "LocalRelation",
          "Offset",
          "OneRowRelation",
          "Pivot",
          "Project",
          "RebalancePartitions",
          "RelationTimeTravel",
          "Repartition",
          "RepartitionByExpression",
          "Sample",
          "Sort",
          "SubqueryAlias",
          "Tail",
          "Union",
          "UnresolvedHaving",
          "UnresolvedHint",
          "UnresolvedInlineTable",
          "UnresolvedRelation",
          "UnresolvedSubqueryColumnAliases",
          "UnresolvedTableValuedFunction",
          "UnresolvedWith",
          "Unpivot",
          "Window",
          "WithCTE",
          "WithWindowDefinition");

  private AdHocSql() {}

  /**
   * Empty when {@code sql} is read-only; otherwise the kind of statement it is (the name of the
   * operator that makes it one that may write), for the message.
   *
   * @throws ParseException when it does not parse
   */
  public static Optional<String> notReadOnly(SparkSession spark, String sql) throws ParseException {
    return notReadOnly(spark.sessionState().sqlParser().parsePlan(sql));
  }

  private static Optional<String> notReadOnly(LogicalPlan plan) {
    String root = plan.getClass().getSimpleName();
    if (plan instanceof ExplainCommand explain) {
      return notReadOnly(explain.logicalPlan()).map(inner -> "EXPLAIN of " + inner);
    }
    if (root.startsWith("Show") || root.startsWith("Describe")) {
      return Optional.empty();
    }
    Deque<LogicalPlan> nodes = new ArrayDeque<>();
    nodes.push(plan);
    while (!nodes.isEmpty()) {
      LogicalPlan node = nodes.pop();
      if (!QUERY_OPERATORS.contains(node.getClass().getSimpleName())) {
        return Optional.of(node.getClass().getSimpleName());
      }
      for (var children = node.children().iterator(); children.hasNext(); ) {
        nodes.push(children.next());
      }
    }
    return Optional.empty();
  }
}
