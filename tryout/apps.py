from django.apps import AppConfig


class TryoutConfig(AppConfig):
    name = "tryout"
    verbose_name = "Demo, simulation and benchmarks"
