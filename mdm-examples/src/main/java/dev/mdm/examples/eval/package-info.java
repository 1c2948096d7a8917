/**
 * The quality evaluation of issue 7: a reference Fashion-MNIST classifier trained by the project
 * ({@link dev.mdm.examples.eval.FashionClassifier}, made by {@link dev.mdm.examples.eval.ClassifierTraining}), the
 * metrics ({@link dev.mdm.examples.eval.ImageMetrics} with {@link dev.mdm.examples.eval.FrechetDistance},
 * {@link dev.mdm.examples.eval.TextMetrics}, {@link dev.mdm.examples.eval.SceneMetrics}), the whole run for one model
 * ({@link dev.mdm.examples.eval.Evaluation}, written as {@code eval.json} and {@code eval.html} by
 * {@link dev.mdm.examples.eval.EvaluationReport}) and the scan-switch ablation
 * ({@link dev.mdm.examples.eval.ScanSwitchAblation}).
 *
 * <pre>{@code
 * try (FashionClassifier classifier = FashionClassifier.load()) {
 *     Evaluation evaluation = new Evaluation(classifier, trainSplit, testSplit);
 *     Path page = evaluation.run(mdm, EvaluationBudget.standard()).write(Path.of("mdm-eval"), "eval");
 * }
 * }</pre>
 */
package dev.mdm.examples.eval;
