"""Budgets the examples share: "full" trains as the shipped configs do; "tiny" only checks that
every stage runs, in seconds (what the tests run)."""

TINY_POLICY = [
    "policy.total_steps=120",
    "policy.learning_starts=60",
    "policy.batch_size=16",
    "policy.eval_every=60",
    "policy.eval_episodes=1",
    "eval.episodes=2",
    "eval.record=1",
]
TINY_PERCEPTION = [
    "data.frames=48",
    "translator.iterations=2",
    "translator.width=4",
    "translator.batch_size=2",
    "keypoints.iterations=2",
    "keypoints.width=4",
    "keypoints.batch_size=2",
    "keypoints.num_keypoints=2",
]
