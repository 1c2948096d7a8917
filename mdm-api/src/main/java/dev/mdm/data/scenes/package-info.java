/**
 * Synthetic scenes for compositional checks in the spirit of GenEval: one or two shapes of known colour at known
 * grid cells, generated on the fly ({@link dev.mdm.data.scenes.SyntheticScenes}), with exact captions and questions,
 * and a deterministic {@link dev.mdm.data.scenes.SceneParser} that reads an image back into its objects.
 */
package dev.mdm.data.scenes;
