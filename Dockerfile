# The image of the docker-compose.yml stack: the official Airflow image with the
# planner installed. The package is installed editable from /opt/planner, where
# docker-compose.yml also mounts the project, so the DAGs and the planning code the
# workers run are the checkout's. Only the files named below are sent to the builder.
ARG AIRFLOW_VERSION=3.3.2
# the project supports Python 3.11 and 3.12 (pyproject.toml)
ARG PYTHON_VERSION=3.12
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}
ARG AIRFLOW_VERSION

# nothing waits on the network for telemetry
ENV DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    GX_ANALYTICS_ENABLED=false \
    DO_NOT_TRACK=1

COPY --chown=airflow:0 pyproject.toml README.md dbt_project.yml profiles.yml /opt/planner/
COPY --chown=airflow:0 planning /opt/planner/planning
COPY --chown=airflow:0 dbt_project /opt/planner/dbt_project
COPY --chown=airflow:0 dags /opt/planner/dags

# Airflow pinned to the image's version, as the official image's docs advise, so
# resolving the planner's dependencies cannot move it
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" --editable "/opt/planner[airflow]"
