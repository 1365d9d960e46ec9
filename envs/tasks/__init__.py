"""One module per task; each defines a ``TabletopEnv`` subclass and its scripted demonstrator."""

from lbw.envs.tasks.coffee_push import CoffeePushEnv
from lbw.envs.tasks.drawer_close import DrawerCloseEnv
from lbw.envs.tasks.push import PushEnv
from lbw.envs.tasks.reach import ReachEnv
from lbw.envs.tasks.slide import SlideEnv

__all__ = ["CoffeePushEnv", "DrawerCloseEnv", "PushEnv", "ReachEnv", "SlideEnv"]
