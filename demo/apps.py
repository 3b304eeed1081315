from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data (`seed_demo`, `seed_demo --scale N`), written through the
    services of the domain apps. No models of its own: an app only so that Django finds its
    management command."""

    name = "demo"
