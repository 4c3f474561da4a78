"""Pure solvers for the dispatcher's proposals: reserve borrowing, production queue, delivery routes.

Nothing here touches a database or the web: central builds plain inputs, calls a solver and stores the result
(with its explanation and objective figures) as a proposal.
"""
