"""The department's KPIs (售后服务指标, DOMAIN.md "Department KPIs"), read from its records."""
