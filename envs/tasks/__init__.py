"""One module per task; each defines a ``TabletopEnv`` subclass and its scripted demonstrator."""

from envs.tasks.coffee_push import CoffeePushEnv
from envs.tasks.drawer_close import DrawerCloseEnv
from envs.tasks.push import PushEnv
from envs.tasks.reach import ReachEnv
from envs.tasks.slide import SlideEnv

__all__ = ["CoffeePushEnv", "DrawerCloseEnv", "PushEnv", "ReachEnv", "SlideEnv"]
