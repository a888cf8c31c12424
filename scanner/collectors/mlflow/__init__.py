"""MLflow collector: `--mlflow URI` reads a tracking server (http/https) or a local store (file:, sqlite:)."""
