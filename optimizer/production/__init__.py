"""Production queue (OPT-2, PROD-4): flexible job shop on work-centre calendars with kit-based release times."""

from optimizer.production.check import check_schedule
from optimizer.production.kits import KitComponent, KitRequest, kit_releases
from optimizer.production.model import Job, Operation, ScheduledOp, ShopProblem, ShopResult, WorkCentre
from optimizer.production.readers import read_fjs, read_jsplib
from optimizer.production.solver import solve_shop

__all__ = [
    "Job",
    "KitComponent",
    "KitRequest",
    "Operation",
    "ScheduledOp",
    "ShopProblem",
    "ShopResult",
    "WorkCentre",
    "check_schedule",
    "kit_releases",
    "read_fjs",
    "read_jsplib",
    "solve_shop",
]
