package io.issuetrakbridge.config;

import org.eclipse.microprofile.config.spi.Converter;

/** Reads one entry of {@code issuetrak.budget.rules}; SmallRye names the key when it throws. */
public class BudgetRuleConverter implements Converter<BudgetRule> {

    @Override
    public BudgetRule convert(String value) {
        return value == null || value.isBlank() ? null : BudgetRule.parse(value);
    }
}
