#include "app/gui/export_dialog.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>

namespace attnscope::gui {

widgets::FigureSize default_figure_size(int panels) {
  if (panels <= 1) return widgets::FigureSize::column();
  auto size = widgets::FigureSize::page();
  size.height_mm = size.width_mm / panels + 10;
  return size;
}

std::optional<widgets::FigureSize> ask_figure_size(QWidget* parent, int panels) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("Figure size"));
  auto* form = new QFormLayout(&dialog);
  auto* preset = new QComboBox(&dialog);
  preset->addItems({QObject::tr("Paper column (85 mm)"), QObject::tr("Full page width (175 mm)"), QObject::tr("Custom")});
  auto* width = new QDoubleSpinBox(&dialog);
  auto* height = new QDoubleSpinBox(&dialog);
  for (auto* box : {width, height}) {
    box->setRange(20, 500);
    box->setSuffix(" mm");
    box->setDecimals(1);
  }
  auto* dpi = new QSpinBox(&dialog);
  dpi->setRange(72, 1200);
  dpi->setSuffix(" dpi");
  form->addRow(QObject::tr("Size"), preset);
  form->addRow(QObject::tr("Width"), width);
  form->addRow(QObject::tr("Height"), height);
  form->addRow(QObject::tr("PNG resolution"), dpi);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  form->addRow(buttons);
  QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);

  // Several panels side by side want the page width; one head a column.
  const auto apply_preset = [=](int index) {
    if (index == 2) return;
    const auto size = default_figure_size(index == 0 ? 1 : std::max(2, panels));
    width->setValue(size.width_mm);
    height->setValue(index == 1 && panels <= 1 ? widgets::FigureSize::page().height_mm : size.height_mm);
  };
  QObject::connect(preset, &QComboBox::activated, &dialog, apply_preset);
  for (auto* box : {width, height})
    QObject::connect(box, &QDoubleSpinBox::editingFinished, &dialog, [preset] { preset->setCurrentIndex(2); });
  QSettings settings;
  preset->setCurrentIndex(panels > 1 ? 1 : 0);
  apply_preset(preset->currentIndex());
  dpi->setValue(settings.value("export/dpi", 300).toInt());
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  settings.setValue("export/dpi", dpi->value());
  return widgets::FigureSize{width->value(), height->value(), dpi->value()};
}

}  // namespace attnscope::gui
